/** With the devnet on: its search corpus is where synthetic queries' topics come from and sampled items are fetched back. */
import type { DevnetManifest } from "../devnet/manifest";
import { setSourceFetcher } from "./checks";
import { setSyntheticTopics } from "./synthetic";

export function useDevnetCorpus(corpus: DevnetManifest["corpus"]): void {
  if (!corpus) return;
  const get = async <T>(p: string): Promise<T | null> => {
    const res = await fetch(`${corpus.url}${p}`, { signal: AbortSignal.timeout(10_000) });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`the devnet corpus answered ${res.status}`);
    return (await res.json()) as T;
  };
  setSourceFetcher({
    tweet: (id) => get(`/post/${encodeURIComponent(id)}`),
    page: (link) => get(`/page?link=${encodeURIComponent(link)}`),
  });
  setSyntheticTopics(() => ({ topics: corpus.topics, accounts: corpus.accounts }));
}
