// What the bot asks of Solana, in two small interfaces: reading a finalized transaction (deposits)
// and submitting and following transactions (withdrawals). A JSON-RPC node serves both
// (ConnectionRpc); an in-process runtime such as solana-bankrun serves the second in tests.
import { Connection, type ParsedTransactionWithMeta, type PublicKey } from "@solana/web3.js";
import { type MintReader, mintDecimalsOf } from "./mints.ts";

export interface SolanaReader {
  /**
   * The transaction at finalized commitment, legacy or version 0, with parsed instructions; null
   * while it is not finalized (or never existed).
   */
  getParsedTransaction(signature: string): Promise<ParsedTransactionWithMeta | null>;
}

export interface SignatureStatus {
  /** Rooted: it can no longer be rolled back. */
  finalized: boolean;
  /** The error it landed with (it then moved nothing but its fee), or null. */
  err: unknown;
}

export interface SolanaWriter {
  /** A recent blockhash and the last block height at which a transaction using it can land. */
  latestBlockhash(): Promise<{ blockhash: string; lastValidBlockHeight: bigint }>;
  /** The finalized block height: no transaction whose last valid height is below it can still land. */
  finalizedBlockHeight(): Promise<bigint>;
  /** Where a signature stands, searching the whole history; null when the cluster has not seen it. */
  signatureStatus(signature: string): Promise<SignatureStatus | null>;
  /** The program that owns an account, or null when the account does not exist. */
  accountOwner(address: PublicKey): Promise<PublicKey | null>;
  /**
   * Submits signed bytes. A throw does not prove the transaction was not received (the answer may
   * be what was lost): callers decide from signatureStatus, never from this.
   */
  sendRawTransaction(bytes: Uint8Array): Promise<void>;
  /**
   * The same node, its calls given up as soon as `signal` is aborted (a job run that timed out),
   * where the transport can abort them; a runtime without one is used as it is.
   */
  withSignal?(signal: AbortSignal): SolanaWriter;
}

export type SolanaRpc = SolanaReader & SolanaWriter & MintReader;

/** How long one JSON-RPC call may take before it counts as failed. */
const REQUEST_TIMEOUT_MS = 20_000;

/**
 * Attempts of a read whose connection closed under it. A kept-alive connection idle for about the
 * node's keep-alive timeout can be closed by the node just as a request is written on it (more
 * likely when the process is busy and its timers run late); the request never reached the node,
 * so a read is simply sent again, on a new connection. Sending a transaction is never retried here.
 */
const READ_ATTEMPTS = 3;

/** fetch's failure when the socket was closed or reset before an answer came (not a timeout). */
function isClosedConnection(error: unknown): boolean {
  if (!(error instanceof TypeError) || error.message !== "fetch failed") return false;
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return code === "UND_ERR_SOCKET" || code === "UND_ERR_CLOSED" || code === "ECONNRESET" || code === "EPIPE";
}

async function read<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= READ_ATTEMPTS || !isClosedConnection(error)) throw error;
    }
  }
}

/** A Solana JSON-RPC node through @solana/web3.js's Connection. */
export class ConnectionRpc implements SolanaRpc {
  readonly #connection: Connection;

  constructor(
    private readonly url: string,
    /** Every call made through this instance is also given up when this is aborted. */
    signal?: AbortSignal,
  ) {
    const timeout = () => AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    this.#connection = new Connection(url, {
      commitment: "finalized",
      fetch: (input, init) =>
        fetch(input, { ...init, signal: signal ? AbortSignal.any([signal, timeout()]) : timeout() }),
    });
  }

  /** A Connection of its own per job run: cheap, and it opens no socket until a call is made. */
  withSignal(signal: AbortSignal): ConnectionRpc {
    return new ConnectionRpc(this.url, signal);
  }

  getParsedTransaction(signature: string): Promise<ParsedTransactionWithMeta | null> {
    return read(() =>
      this.#connection.getParsedTransaction(signature, {
        commitment: "finalized",
        maxSupportedTransactionVersion: 0,
      }),
    );
  }

  async latestBlockhash(): Promise<{ blockhash: string; lastValidBlockHeight: bigint }> {
    const latest = await read(() => this.#connection.getLatestBlockhash("confirmed"));
    return { blockhash: latest.blockhash, lastValidBlockHeight: BigInt(latest.lastValidBlockHeight) };
  }

  async finalizedBlockHeight(): Promise<bigint> {
    return BigInt(await read(() => this.#connection.getBlockHeight("finalized")));
  }

  async signatureStatus(signature: string): Promise<SignatureStatus | null> {
    const { value } = await read(() =>
      this.#connection.getSignatureStatuses([signature], { searchTransactionHistory: true }),
    );
    const status = value[0];
    if (!status) return null;
    return { finalized: status.confirmationStatus === "finalized", err: status.err };
  }

  async accountOwner(address: PublicKey): Promise<PublicKey | null> {
    const info = await read(() => this.#connection.getAccountInfo(address, "confirmed"));
    return info?.owner ?? null;
  }

  async mintDecimals(address: PublicKey): Promise<number | null> {
    return mintDecimalsOf(await read(() => this.#connection.getAccountInfo(address, "confirmed")));
  }

  async sendRawTransaction(bytes: Uint8Array): Promise<void> {
    await this.#connection.sendRawTransaction(bytes, { preflightCommitment: "confirmed" });
  }
}
