// Types of peers.mjs (plain JS so peer-worker.mjs can load it without tsx).

/** The tokenizers a user would otherwise pick. */
export declare const PEERS: readonly string[];
/** A loaded peer: text -> token count. */
export type PeerCounter = (text: string) => number;
/** Loads `peer` for `encoding`. */
export declare function loadPeer(peer: string, encoding: string): Promise<PeerCounter>;
/** Counts `text` with a loaded peer. */
export declare function countPeer(counter: PeerCounter, text: string): number;
