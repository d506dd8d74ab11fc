// An in-process Solana runtime (solana-bankrun: the real bank, SPL Token and Associated Token
// Account programs) behind the bot's SolanaWriter interface, with a treasury that holds SOL and
// USDC at USDC's real mint address.
import {
  ACCOUNT_SIZE,
  AccountLayout,
  getAssociatedTokenAddressSync,
  MINT_SIZE,
  MintLayout,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import {
  type Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  SystemProgram,
  VersionedTransaction,
} from "@solana/web3.js";
import bs58 from "bs58";
import { type AddedAccount, type ProgramTestContext, start } from "solana-bankrun";
import { type MintReader, mintDecimalsOf } from "#src/chain/mints.ts";
import type { SignatureStatus, SolanaWriter } from "#src/chain/rpc.ts";

// The runtime logs every program invocation at debug level unless told otherwise.
process.env.RUST_LOG ??= "error";

export const USDC_MINT = new PublicKey("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v");

/**
 * BanksClient is not a JSON-RPC Connection; this adapts it. Sending goes through
 * tryProcessTransaction, which executes and commits like a node that accepted the transaction:
 * bankrun's sendTransaction panics once the slot has been warped (its root bank does not know the
 * new blockhash), and tests warp to expire blockhashes.
 */
export class BankrunRpc implements SolanaWriter, MintReader {
  constructor(readonly context: ProgramTestContext) {}

  get client() {
    return this.context.banksClient;
  }

  async latestBlockhash() {
    const latest = await this.client.getLatestBlockhash();
    if (!latest) throw new Error("bankrun has no blockhash");
    return { blockhash: latest[0], lastValidBlockHeight: latest[1] };
  }

  finalizedBlockHeight(): Promise<bigint> {
    return this.client.getBlockHeight("finalized");
  }

  async signatureStatus(signature: string): Promise<SignatureStatus | null> {
    const status = await this.client.getTransactionStatus(signature);
    if (!status) return null;
    // bankrun renders the commitment with Rust's Debug quotes: "\"finalized\"".
    const commitment = String(status.confirmationStatus ?? "").replaceAll('"', "");
    return { finalized: commitment === "finalized", err: status.err ?? null };
  }

  async accountOwner(address: PublicKey): Promise<PublicKey | null> {
    const account = await this.client.getAccount(address);
    return account ? account.owner : null;
  }

  async mintDecimals(address: PublicKey): Promise<number | null> {
    return mintDecimalsOf(await this.client.getAccount(address));
  }

  async sendRawTransaction(bytes: Uint8Array): Promise<void> {
    const transaction = VersionedTransaction.deserialize(bytes);
    const outcome = await this.client.tryProcessTransaction(transaction);
    if (outcome.result === null) return;
    // Landed with an error (its fee was charged) or refused outright (expired blockhash, duplicate).
    const landed = await this.client.getTransactionStatus(bs58.encode(transaction.signatures[0]!));
    if (!landed) throw new Error(`the runtime refused the transaction: ${outcome.result}`);
  }

  /** The token balance of `owner`'s associated account of `mint` (0 when it does not exist). */
  async tokenBalance(owner: PublicKey, mint = USDC_MINT): Promise<bigint> {
    const account = await this.client.getAccount(getAssociatedTokenAddressSync(mint, owner));
    return account ? AccountLayout.decode(account.data).amount : 0n;
  }

  lamports(owner: PublicKey): Promise<bigint> {
    return this.client.getBalance(owner);
  }

  /** Advances slot by slot until the finalized block height passes `height`. */
  async warpPastBlockHeight(height: bigint): Promise<void> {
    let slot = await this.client.getSlot();
    while ((await this.client.getBlockHeight("finalized")) <= height) {
      slot += 1n;
      this.context.warpToSlot(slot);
    }
  }
}

export interface RuntimeSetup {
  treasury: Keypair;
  /** USDC atoms the treasury's token account starts with. */
  treasuryUsdcAtoms: bigint;
  treasuryLamports?: bigint;
  /** Wallets whose USDC token account exists from the start (empty). */
  withTokenAccounts?: PublicKey[];
  /** More SPL Token mints (e.g. a creator's own token), with no supply, owned by the treasury. */
  mints?: Array<{ address: PublicKey; decimals: number }>;
}

/** A fresh runtime where `treasury` holds SOL and USDC, USDC's mint at its mainnet address. */
export async function startRuntime(setup: RuntimeSetup): Promise<BankrunRpc> {
  const owner = setup.treasury.publicKey;
  const mintData = (supply: bigint, decimals: number) => {
    const data = Buffer.alloc(MINT_SIZE);
    MintLayout.encode(
      {
        mintAuthorityOption: 1,
        mintAuthority: owner,
        supply,
        decimals,
        isInitialized: true,
        freezeAuthorityOption: 0,
        freezeAuthority: PublicKey.default,
      },
      data,
    );
    return data;
  };
  const mint = mintData(setup.treasuryUsdcAtoms, 6);
  const tokenAccount = (holder: PublicKey, amount: bigint): AddedAccount => {
    const data = Buffer.alloc(ACCOUNT_SIZE);
    AccountLayout.encode(
      {
        mint: USDC_MINT,
        owner: holder,
        amount,
        delegateOption: 0,
        delegate: PublicKey.default,
        state: 1,
        isNativeOption: 0,
        isNative: 0n,
        delegatedAmount: 0n,
        closeAuthorityOption: 0,
        closeAuthority: PublicKey.default,
      },
      data,
    );
    return {
      address: getAssociatedTokenAddressSync(USDC_MINT, holder),
      info: { lamports: 2_039_280, data, owner: TOKEN_PROGRAM_ID, executable: false },
    };
  };
  const context = await start(
    [],
    [
      {
        address: owner,
        info: {
          lamports: Number(setup.treasuryLamports ?? 100n * BigInt(LAMPORTS_PER_SOL)),
          data: Buffer.alloc(0),
          owner: SystemProgram.programId,
          executable: false,
        },
      },
      {
        address: USDC_MINT,
        info: { lamports: 1_461_600, data: mint, owner: TOKEN_PROGRAM_ID, executable: false },
      },
      tokenAccount(owner, setup.treasuryUsdcAtoms),
      ...(setup.mints ?? []).map(
        (m): AddedAccount => ({
          address: m.address,
          info: {
            lamports: 1_461_600,
            data: mintData(0n, m.decimals),
            owner: TOKEN_PROGRAM_ID,
            executable: false,
          },
        }),
      ),
      ...(setup.withTokenAccounts ?? []).map((holder) => tokenAccount(holder, 0n)),
    ],
  );
  return new BankrunRpc(context);
}
