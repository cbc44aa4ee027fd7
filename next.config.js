/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native and WASM-heavy packages stay outside the server bundle.
  serverExternalPackages: [
    "better-sqlite3",
    "pg",
    "pino",
    "prom-client",
    "@polkadot/api",
    "@polkadot/util-crypto",
    "@polkadot/keyring",
    "@polkadot/util",
    "ws",
    "@prisma/adapter-better-sqlite3",
    "@prisma/adapter-pg",
  ],
};

module.exports = nextConfig;
