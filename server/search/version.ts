/** The version the search API's health check reports (the console's). */
export const SEARCH_API_VERSION = process.env.npm_package_version ?? "0.1.0";
