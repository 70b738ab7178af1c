// data/VERIFY.md: how to check the bag by hand, with nothing but sha256sum, xxd and openssl, and
// with the tracemark command. Bilingual, like the report.

export function verifyMd(c: { caseId: string; subject: string }): string {
  return `# 如何核验本证据包 / How to check this evidence bundle

案件 / Case: \`${c.subject}\`

Everything below runs in the unpacked bag (the folder that holds \`bagit.txt\`). Nothing needs the
Tracemark server; the last step needs a JSON-RPC node of the chain and the trust document *you*
pinned (not necessarily \`data/trust.json\`: anyone could have written that file).

以下命令在解压后的目录（含 \`bagit.txt\`）中运行，无需访问 Tracemark 服务器；最后一步需要区块链节点，
以及您自己固定保存的信任文件（不应只信任包内的 \`data/trust.json\`）。

## 1. 文件完整性 / Every file is the one that was bagged (RFC 8493)

\`\`\`sh
sha256sum -c tagmanifest-sha256.txt   # bagit.txt, bag-info.txt, manifest-sha256.txt
sha256sum -c manifest-sha256.txt      # every file under data/
\`\`\`

## 2. 每条记录 / Each record (a folder under \`data/evidence/\` or \`data/timeline/\`)

\`envelope.json\` holds the record's envelope as the exact RFC 8785 bytes that were hashed:

\`\`\`sh
cd data/evidence/01-*/
sha256sum envelope.json                           # = receipt.json .record.recordHash
sha256sum payload.json 2>/dev/null || sha256sum content.*   # = the envelope's contentHash
grep -o '"contentHash":"[0-9a-f]*"' envelope.json
\`\`\`

The RFC 9162 leaf: SHA-256 of the byte 0x00, the 32-byte salt and the 32-byte record hash
(SALT and RECORD from \`receipt.json\`, \`.record.salt\` and \`.record.recordHash\`):

\`\`\`sh
{ printf '\\000'; echo -n "$SALT" | xxd -r -p; echo -n "$RECORD" | xxd -r -p; } | openssl dgst -sha256   # = .inclusion.leafHash
\`\`\`

Each step of the audit path (RFC 9162 §2.1.3.2) is SHA-256 of 0x01 followed by the left and the
right node; \`tracemark verify\` does every step, and the on-chain ones:

### 逐字段披露 / Records committed field by field (\`disclosure.json\`)

An order, a payment or an after-sales request commits to each field separately
(docs/disclosure-v1.md): its \`payload.json\` is only \`{"_sd":[…],"_sd_alg":"sha-256"}\`, one digest
per field. \`disclosure.json\` holds, for each field the platform still has, the string
base64url([salt, name, value]); a field erased at its owner's request (the buyer) is simply not
there, and its digest stays in \`_sd\`, unlinkable. Each disclosure's SHA-256 must be in \`_sd\`:

\`\`\`sh
for d in $(jq -r '.disclosures[]' disclosure.json); do
  echo -n "$d" | sha256sum | cut -c1-64                       # listed in payload.json's _sd
  p="$d"; while [ $(( \${#p} % 4 )) -ne 0 ]; do p="$p="; done   # base64url without its padding
  echo -n "$p" | basenc --base64url -d; echo                  # [salt, name, value]
done
\`\`\`

## 3. 用命令行核验全部 / All of it at once, offline and on chain

\`\`\`sh
npx tracemark verify-bundle case-${c.caseId}.zip --offline
npx tracemark verify-bundle case-${c.caseId}.zip --rpc https://RPC-OF-THE-CHAIN --trust your-pinned-trust.json
\`\`\`

It checks both manifests, each file against its record's contentHash, each disclosure against
its record's digests, each receipt (offline, then
against the chain: the root anchored by the trusted contract, in the transaction and block the
receipt names, the block time read from the chain), and that the case's timeline is one unbroken
chain of records. One line per item, a summary, and the exit status of \`tracemark verify\`.

\`report.html\` and \`report.pdf\` state the same results for people, grouped by the questions of the
SPC Online Litigation Rules Art. 16–18, and what the bundle cannot show.
`;
}
