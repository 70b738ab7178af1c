// The report's words, in both of its languages: [zh-CN, en]. The report is bilingual on every
// line, so that one document serves a Chinese court and a party reading English.
export type Bilingual = readonly [zh: string, en: string];

export const T = {
  title: ["电子证据报告", "Evidence report"],
  caseLine: ["纠纷案件", "Dispute case"],
  asOf: ["报告时点（案件最新变更）", "As of (the case's newest change)"],
  merchant: ["商家", "Merchant"],
  orderRef: ["订单号", "Order reference"],
  openedBy: ["发起方", "Opened by"],
  openedAt: ["发起时间", "Opened at"],
  deliveredAt: ["签收时间", "Delivered at"],
  state: ["状态", "State"],
  decision: ["裁决", "Decision"],
  reasons: ["理由", "Reasons"],
  deadlines: ["期限", "Deadlines"],
  summary: ["争议概述", "Summary of the dispute"],
  none: ["无", "none"],
  art16: ["一、上链后是否被篡改（《人民法院在线诉讼规则》第十六条）", "1. Unaltered since it was anchored (SPC Online Litigation Rules, Art. 16)"],
  art16Intro: [
    "每项证据的记录哈希、默克尔证明与链上锚定均已逐步重新计算并核对；区块时间读自区块链本身，而非收据。",
    "For each item, the record hash, the Merkle proof and the on-chain anchor were recomputed and checked step by step; the block time is read from the chain itself, never from the receipt.",
  ],
  art17: ["二、平台及其存证过程（第十七条）", "2. The platform and its storage process (Art. 17)"],
  art17Body: [
    "Tracemark 对每条记录的信封做 RFC 8785 规范化 JSON 的 SHA-256 得到记录哈希，加入服务器随机生成的 32 字节盐后作为 RFC 9162 默克尔树的叶子；每批的根由下列合约锚定到区块链。验证无需信任 Tracemark：任何人可用 sha256sum、openssl 和公开的区块链节点独立复核（见 VERIFY.md）。",
    "Tracemark hashes each record's envelope (RFC 8785 canonical JSON, SHA-256) into its record hash, salts it with 32 random bytes chosen by the server, and makes it a leaf of an RFC 9162 Merkle tree; each batch's root is anchored on the chain by the contract below. Checking needs no trust in Tracemark: anyone can redo every step with sha256sum, openssl and a public node of the chain (see VERIFY.md).",
  ],
  trustedContract: ["受信任的合约", "Trusted contract"],
  chain: ["链", "Chain"],
  deployBlock: ["部署区块", "Deploy block"],
  timelineChain: ["案件时间线（记录链）", "The case's timeline (a chain of records)"],
  timelineComplete: ["时间线完整：每条记录的 prev 均指向前一条记录，直至最新一条", "The timeline is complete: each record's prev names the one before it, up to the newest"],
  timelineBroken: ["时间线不连续：", "The timeline is broken: "],
  art18: ["三、来源、生成与相互印证（第十八条）", "3. Origin, generation and corroboration (Art. 18)"],
  art18Intro: [
    "下表列出每项证据由谁提交、何时被平台接收、关于哪个主体；同一主体（如同一订单）上的多条记录相互印证。早于纠纷发起时间存证的记录并非为诉讼而制作。",
    "Who submitted each item, when the platform accepted it, and what it is about; records on the same subject (one order, say) corroborate one another. Records notarized before the case was opened were not made for the dispute.",
  ],
  beforeCase: ["早于案件发起存证", "notarized before the case was opened"],
  afterCase: ["案件发起后存证", "notarized after the case was opened"],
  sameSubject: ["同一主体上的其他证据", "other evidence on the same subject"],
  cannot: ["四、本报告不能证明的内容", "4. What this report cannot show"],
  cannotList: [
    ["内容在生成时是否真实（例如截图、聊天、主播的说法是否属实）；只能证明其在锚定时已存在且此后未被改动。", "That the content was true when it was made (a screenshot, a chat, a host's claim): only that it existed when it was anchored and has not changed since."],
    ["记录被平台接收之前发生的事：记录最早只能证明“不晚于”其区块时间存在。", "Anything before the record was accepted: a record proves only that it existed no later than its block time."],
    ["密钥或账户背后实际操作的人是谁。", "Who was physically behind a key or an account."],
    ["平台从未持有的原件：此时只有其哈希，证据包中没有该文件。", "Originals the platform never held: then only their hash is known and the bundle does not contain the file."],
    ["尚未锚定的记录（状态为“待定”）：其链上部分尚无法核对。", "Records not anchored yet (pending): their on-chain part cannot be checked yet."],
  ],
  item: ["证据", "Item"],
  what: ["内容", "What it is"],
  subject: ["主体", "Subject"],
  submitter: ["提交方", "Submitted by"],
  addedBy: ["加入案件", "Added to the case by"],
  acceptedAt: ["平台接收时间", "Accepted by the platform"],
  contentHash: ["内容哈希 (SHA-256)", "Content hash (SHA-256)"],
  recordHash: ["记录哈希", "Record hash"],
  file: ["证据包中的文件", "File in the bundle"],
  notHeld: ["（平台未持有原件）", "(the platform does not hold the original)"],
  root: ["批次根", "Batch root"],
  contract: ["合约", "Contract"],
  transaction: ["交易", "Transaction"],
  block: ["区块", "Block"],
  blockTime: ["区块时间（读自链上）", "Block time (read from the chain)"],
  result: ["核验结果", "Result"],
  steps: ["核验步骤", "Verification steps"],
  disclosed: ["逐字段披露的内容（已与锚定记录核对）", "Fields disclosed one by one (checked against the anchored record)"],
  disclosureFile: ["披露文件", "Disclosure file"],
  hidden: ["未披露的字段数（已删除或从未向平台披露）", "Fields not disclosed (erased, or never held by the platform)"],
  note: ["说明", "Note"],
  evidenceSection: ["提交的证据", "Evidence submitted"],
  timelineSection: ["案件时间线记录", "The case's timeline records"],
} as const satisfies Record<string, Bilingual | readonly Bilingual[]>;

export const STATUS: Record<string, Bilingual> = {
  valid: ["有效", "valid"],
  invalid: ["无效", "invalid"],
  pending: ["待定（尚未锚定）", "pending (not anchored yet)"],
  error: ["无法核验（区块链无法访问）", "could not verify (the chain could not be asked)"],
  untrusted: ["未对照受信任合约", "untrusted (no trusted contract)"],
};

export const PARTY: Record<string, Bilingual> = {
  consumer: ["消费者", "consumer"],
  merchant: ["商家", "merchant"],
  mediator: ["调解方", "mediator"],
  operator: ["平台运营方", "operator"],
};

export const DEADLINE: Record<string, Bilingual> = {
  request: ["申请期限", "request"],
  review: ["审核期限", "review"],
  return: ["退货物流期限", "return"],
  met: ["按时完成", "met"],
  late: ["逾期完成", "done late"],
  due: ["未到期", "due"],
  overdue: ["已逾期", "overdue"],
};

export const OUTCOME: Record<string, Bilingual> = {
  refund: ["退款", "refund"],
  "partial-refund": ["部分退款", "partial refund"],
  "return-and-refund": ["退货退款", "return and refund"],
  replace: ["换货", "replacement"],
  rejected: ["驳回", "rejected"],
};

/** What a record is, by its kind: the kinds of this service and of the evidence work. */
export function kindLabel(kind: string): Bilingual {
  const table: Array<[RegExp, Bilingual]> = [
    [/^case\.opened$/, ["案件发起", "case opened"]],
    [/^case\.mediator-assigned$/, ["指派调解方", "mediator assigned"]],
    [/^case\.evidence-added$/, ["加入证据", "evidence added"]],
    [/^case\.evidence-withdrawn$/, ["撤回证据", "evidence withdrawn"]],
    [/^case\.statement$/, ["陈述", "statement"]],
    [/^case\.decision$/, ["裁决", "decision"]],
    [/chat/, ["聊天记录", "chat"]],
    [/order/, ["订单", "order"]],
    [/payment/, ["支付", "payment"]],
    [/after-?sales/, ["售后", "after-sales"]],
    [/stream|segment|claim/, ["直播内容", "live-stream content"]],
    [/photo|image/, ["照片", "photo"]],
    [/file/, ["文件", "file"]],
    [/^trace\.|epcis/, ["溯源记录", "traceability record"]],
  ];
  return table.find(([pattern]) => pattern.test(kind))?.[1] ?? ["记录", "record"];
}

export const both = ([zh, en]: Bilingual) => `${zh} / ${en}`;
