// Every service the commands use, built once by the composition root (src/app.ts).

import { AmbassadorCommissions } from "#src/economy/ambassadors/ambassador-commissions.ts";
import type { CommissionPolicy } from "#src/economy/ambassadors/commissions.ts";
import { ReferralInvites } from "#src/economy/ambassadors/referral-invites.ts";
import { Referrals } from "#src/economy/ambassadors/referrals.ts";
import { Staking } from "#src/economy/ambassadors/staking.ts";
import { demonstrationPipeline } from "#src/economy/pools/demonstrations.ts";
import { Factories } from "#src/economy/pools/factories.ts";
import { mergeFarmerRecords } from "#src/economy/pools/farmer-merge.ts";
import { OwnTokens } from "#src/economy/pools/own-tokens.ts";
import { Reputation } from "#src/economy/pools/reputation.ts";
import { Submissions } from "#src/economy/pools/submissions.ts";
import { Arena } from "./arena/arena.ts";
import { type Chain, createChain } from "./chain/chain.ts";
import type { JobsConfig } from "./config/jobs.ts";
import type { Config } from "./config.ts";
import { PendingActions } from "./core/actions.ts";
import { type Clock, DAY, systemClock } from "./core/clock.ts";
import { MemberNotices } from "./core/member-notices.ts";
import { Notifier } from "./core/notifier.ts";
import { CommandRegistry } from "./core/registry.ts";
import { DatasetBundles } from "./dataset-tokens/bundles.ts";
import { DatasetBurns } from "./dataset-tokens/burns.ts";
import { DatasetTokens } from "./dataset-tokens/dataset-tokens.ts";
import { mergeDatasetTokenRecords } from "./dataset-tokens/merge.ts";
import { Datasets } from "./datasets/datasets.ts";
import type { Database } from "./db/database.ts";
import { Funds } from "./economy/funds.ts";
import { Scheduler } from "./epochs/scheduler.ts";
import { createGrader } from "./grading/grader.ts";
import { ActorCache, listenForInvalidations } from "./identity/actor-cache.ts";
import { Identity } from "./identity/identity.ts";
import { jobs } from "./jobs.ts";
import { ambassadorReferrals, withStakingTier } from "./leaderboards/ambassador-providers.ts";
import { datasetTokenBoards } from "./leaderboards/dataset-providers.ts";
import { Leaderboards } from "./leaderboards/leaderboards.ts";
import { poolsProviders } from "./leaderboards/pool-providers.ts";
import { Ledger } from "./ledger/ledger.ts";
import { TokenRegistry } from "./ledger/tokens.ts";
import type { Logger } from "./log.ts";
import type { BlobStore } from "./storage/blob-store.ts";
import { datasetSecret, openBlobStore } from "./storage/open-store.ts";

export interface Services {
  config: Config;
  /** What time it is; tests replace it with a ManualClock. */
  clock: Clock;
  db: Database;
  log: Logger;
  tokens: TokenRegistry;
  ledger: Ledger;
  identity: Identity;
  actions: PendingActions;
  funds: Funds;
  /** Who shares the platform fee of a reward or deposit (ambassadors); the protocol keeps the rest. */
  commissions: CommissionPolicy;
  /** CLONES stakes, cooldowns and the ambassador tiers they give. */
  staking: Staking;
  /** Referral codes and who referred whom. */
  referrals: Referrals;
  /** Discord personal invites and the joins they attribute (section 6). */
  referralInvites: ReferralInvites;
  /** Factories, their pools, bids and funding (docs/economy.md sections 2-3). */
  factories: Factories;
  /** Demonstrations: submit, grade in the background, settle, review (sections 3-4). */
  submissions: Submissions;
  /** Creators' own tokens: registering them, and the VIRAL stake they lock (section 2). */
  ownTokens: OwnTokens;
  /** Reputation and XP (section 5). */
  reputation: Reputation;
  /** Messages outside a command's reply; each running front end registers its platform. */
  notifier: Notifier;
  /** Notices no platform delivered, kept for /scores. */
  notices: MemberNotices;
  /** Solana: wallets, deposits, withdrawals (off chain without SOLANA_RPC_URL). */
  chain: Chain;
  /** The arena: training tasks, stakes, delegations, scores and the epoch's rewards. */
  arena: Arena;
  /** Uploaded recordings, their actions and dataset packages, under their sha256 (src/storage). */
  blobs: BlobStore;
  /** Factories' datasets: exports, versions, downloads, a farmer's stored recordings (section 10.1). */
  datasets: Datasets;
  /** Dataset tokens: launches, curve trades, burn-to-download (docs/economy.md section 10). */
  datasetTokens: DatasetTokens;
  datasetBurns: DatasetBurns;
  /** Bundles of tokenized datasets and their governance (section 10.6). */
  datasetBundles: DatasetBundles;
  /** Rankings and the data behind the cards (read-only); features add providers to it. */
  leaderboards: Leaderboards;
  /** Every command, for /help; filled in once the commands are loaded. */
  commands: CommandRegistry<Services>;
  /** The periodic jobs (src/jobs.ts): /epoch reads and triggers them; main.ts starts the ticking. */
  scheduler: Scheduler<Services>;
}

export async function createServices(
  config: Config,
  db: Database,
  log: Logger,
  clock: Clock = systemClock,
): Promise<Services> {
  const tokens = await db.transaction((tx) => TokenRegistry.load(tx, config.EXTRA_TOKENS));
  const ledger = new Ledger(tokens, clock);
  // Who is behind each platform account, kept between commands while every merge can reach it
  // (LISTEN on PostgreSQL; ended with the database). The TTL only bounds a missed notification.
  const actorCache = new ActorCache({ ttlMs: 60_000, maxEntries: 50_000 });
  listenForInvalidations(db, actorCache);
  const identity = new Identity(db, ledger, {
    moderators: config.MODERATORS,
    linkCodeTtlSeconds: config.LINK_CODE_TTL_SECONDS,
    cache: actorCache,
  });
  const notices = new MemberNotices(db);
  const notifier = new Notifier(
    {
      platformAccountsOf: async (userId) =>
        (await db.prisma.platformAccount.findMany({ where: { userId }, orderBy: { id: "asc" } })).map(
          (a) => ({
            platform: a.platform as Config["MODERATORS"][number]["platform"],
            platformUserId: a.platformUserId,
          }),
        ),
    },
    log,
    notices,
  );
  const staking = new Staking(db, ledger, {
    cooldownDays: config.UNSTAKE_COOLDOWN_DAYS,
    supplyTokens: config.CLONES_SUPPLY,
  });
  const referrals = new Referrals(db, { dailyCap: config.REFERRAL_DAILY_CAP });
  identity.onMerge("referrals", (tx, from, into) => referrals.merge(tx, from, into));
  const arena = new Arena(db, ledger, tokens, {
    token: config.ARENA_TOKEN,
    emission: config.ARENA_EMISSION,
    params: {
      gamma: config.ARENA_GAMMA,
      alpha: config.ARENA_ALPHA,
      eps: config.ARENA_EPSILON,
      r: config.ARENA_RANK_RATIO,
      mode: config.ARENA_SCORE_MODE,
    },
  });
  identity.onMerge("arena", (tx, from, into) => arena.mergeUsers(tx, from, into));
  identity.onMerge("farmers", mergeFarmerRecords);
  identity.onMerge("datasetTokens", mergeDatasetTokenRecords);
  const datasetTokens = new DatasetTokens(db, ledger, {
    minDemonstrations: config.DATASET_MIN_DEMONSTRATIONS,
    launchFee: config.DATASET_LAUNCH_FEE,
    curveClones: config.DATASET_CURVE_CLONES,
    volumeFeeBps: config.DATASET_VOLUME_FEE_BPS,
  });
  const datasetBundles = new DatasetBundles(db, ledger, datasetTokens, staking, {
    votingDays: config.BUNDLE_VOTING_DAYS,
    quorumPercent: config.BUNDLE_QUORUM,
  });
  // Payouts read the commission policy through this getter at settlement time, so replacing
  // services.commissions (as tests do with a fixed-tier policy) takes effect.
  const commissions = () => services.commissions;
  const factories = new Factories(db, ledger, tokens, commissions, config, clock);
  const blobs = await openBlobStore(config);
  const reputation = new Reputation(db, ledger, tokens, config, {
    notifier,
    minimumQualityCount: config.LEADERBOARD_MIN_QUALITY_COUNT,
  });
  const submissions = new Submissions({
    db,
    ledger,
    tokens,
    factories,
    reputation,
    commissions,
    notifier,
    moderators: () => identity.moderatorUserIds(db.prisma),
    config,
    clock,
    log,
    blobs,
  });
  submissions.use({
    pipeline: demonstrationPipeline({
      maxBytes: config.DEMO_MAX_BYTES,
      maxLogBytes: config.DEMO_MAX_LOG_BYTES,
    }),
    grader: createGrader(config, log),
  });
  const leaderboards = new Leaderboards(db, ledger, tokens, {
    minimumQualityCount: config.LEADERBOARD_MIN_QUALITY_COUNT,
    defaultToken: config.LEADERBOARD_DEFAULT_TOKEN,
    posts: {
      leaseMs: config.LEADERBOARD_POST_LEASE_SECONDS * 1000,
      maxAttempts: config.LEADERBOARD_POST_MAX_ATTEMPTS,
    },
  });
  const boardProviders = poolsProviders(reputation);
  Object.assign(leaderboards.providers, boardProviders, {
    referrals: ambassadorReferrals,
    datasets: datasetTokenBoards,
    profiles: withStakingTier(boardProviders.profiles, staking),
  });
  const chain = await createChain(config, { db, ledger, tokens, identity, notifier, log });
  const ownTokens = new OwnTokens(db, ledger, tokens, chain, config);
  ownTokens.attach(staking);
  const services: Omit<Services, "scheduler"> & { scheduler?: Scheduler<Services> } = {
    config,
    clock,
    db,
    log,
    tokens,
    ledger,
    identity,
    actions: new PendingActions(config.CONFIRMATION_TTL_SECONDS),
    funds: new Funds(db, ledger, notifier, tokens),
    commissions: new AmbassadorCommissions(referrals, staking),
    staking,
    referrals,
    referralInvites: new ReferralInvites({
      db,
      referrals,
      ensureUser: (user) => identity.ensureUser(user),
      now: () => clock.now(),
      log,
    }),
    factories,
    submissions,
    reputation,
    notifier,
    notices,
    chain,
    ownTokens,
    arena,
    blobs,
    datasets: new Datasets({ db, blobs, factories, config, clock, secret: await datasetSecret(config) }),
    datasetTokens,
    datasetBurns: new DatasetBurns(db, ledger, datasetTokens),
    datasetBundles,
    leaderboards,
    commands: new CommandRegistry<Services>([]),
  };
  // The scheduler hands every job the services, itself included.
  services.scheduler = new Scheduler(services as Services, jobs, schedulerOptions(config));
  return services as Services;
}

/** The scheduler's settings from the configuration. */
export function schedulerOptions(config: JobsConfig) {
  return {
    schedules: config.JOB_SCHEDULES,
    leaseMs: config.JOB_LEASE_SECONDS * 1000,
    maxAttempts: config.JOB_MAX_ATTEMPTS,
    maxCatchUp: config.JOB_MAX_CATCH_UP,
    timeoutMs: config.JOB_TIMEOUT_SECONDS * 1000,
    timeoutsMs: secondsToMs(config.JOB_TIMEOUTS),
    retentionMs: config.JOB_RUNS_RETENTION_DAYS * DAY,
    ...(config.JOB_ANNOUNCE_CHANNEL ? { announceChannel: config.JOB_ANNOUNCE_CHANNEL } : {}),
  };
}

const secondsToMs = (byJob: Readonly<Record<string, number>>): Record<string, number> =>
  Object.fromEntries(Object.entries(byJob).map(([job, seconds]) => [job, seconds * 1000]));
