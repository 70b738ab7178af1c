// "Notarize your own evidence": the file (or the typed text) is hashed here, in the browser,
// streaming (hash-file.ts); only its SHA-256, media type, name and size are sent to
// POST /v1/public/records. The answer's receipt is offered for download at once, and the receipt
// page /r/{id} follows it to final. Without JavaScript the form still works for a hash computed
// elsewhere (sha256sum): the server then answers with a redirect to /r/{id}.
import { doc, downloadLink, pageJson, say, type Ev, type Fileish, type Messages } from "./consumer-dom.ts";
import { sha256OfBlob, sha256OfText } from "./hash-file.ts";

interface Accepted {
  id: string;
  receipt: unknown;
  links: { page: string };
}

function main(): void {
  const root = doc().querySelector("#notarize");
  const form = doc().querySelector("#tm-notarize");
  if (!root || !form) return;
  root.dataset["js"] = "on";
  const messages = pageJson<Messages>("tm-messages");
  const fileInput = form.querySelector("#tm-file")!;
  const textInput = form.querySelector("#tm-text")!;
  const progress = root.querySelector("#tm-progress")!;
  const status = root.querySelector("#tm-status")!;
  const result = root.querySelector("#tm-result")!;
  const submit = form.querySelector("button[type=submit]")!;
  let dropped: Fileish | null = null;

  const kind = () => (form.querySelector("input[name=kind]:checked")?.value === "consumer.text" ? "consumer.text" : "consumer.file");
  const showParts = () => {
    for (const part of form.querySelectorAll("[data-part]")) part.hidden = part.dataset["part"] !== (kind() === "consumer.text" ? "text" : "file") && part.dataset["part"] !== "always";
  };
  for (const radio of form.querySelectorAll("input[name=kind]")) radio.addEventListener("change", showParts);
  showParts();

  const drop = root.querySelector("[data-role=drop]");
  drop?.addEventListener("dragover", (e) => e.preventDefault());
  drop?.addEventListener("drop", (e: Ev) => {
    e.preventDefault();
    dropped = e.dataTransfer?.files[0] ?? null;
    if (dropped) status.textContent = say(messages, "notarize.js.picked", { name: dropped.name });
  });

  const fail = (text: string) => {
    root.dataset["state"] = "error";
    status.textContent = text;
    submit.disabled = false;
  };

  form.addEventListener("submit", (event: Ev) => {
    event.preventDefault();
    void (async () => {
      submit.disabled = true;
      result.hidden = true;
      let body: Record<string, unknown>;
      if (kind() === "consumer.text") {
        const text = textInput.value;
        if (text === "") return fail(say(messages, "notarize.js.noText"));
        root.dataset["state"] = "hashing";
        body = { kind: "consumer.text", contentHash: await sha256OfText(text), mediaType: "text/plain; charset=utf-8", size: new TextEncoder().encode(text).length };
      } else {
        const file = dropped ?? fileInput.files?.[0] ?? null;
        if (!file) return fail(say(messages, "notarize.js.noFile"));
        root.dataset["state"] = "hashing";
        progress.hidden = false;
        const started = Date.now();
        const contentHash = await sha256OfBlob(file, (done, total) => {
          const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
          progress.setAttribute("value", String(percent));
          const seconds = (Date.now() - started) / 1000;
          const rate = seconds > 0 ? done / seconds / 1_048_576 : 0;
          status.textContent = say(messages, "notarize.js.hashing", { percent, rate: rate.toFixed(0) });
        });
        body = { kind: "consumer.file", contentHash, mediaType: /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+$/.test(file.type) ? file.type : "application/octet-stream", fileName: file.name.slice(0, 255) || "file", size: file.size };
      }
      root.dataset["state"] = "sending";
      status.textContent = say(messages, "notarize.js.sending");
      const res = await fetch("/v1/public/records", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const answer = (await res.json()) as Accepted & { error?: { message: string } };
      if (res.status !== 202) return fail(say(messages, "notarize.js.refused", { reason: answer.error?.message ?? String(res.status) }));
      const hashOut = result.querySelector("[data-role=hash]");
      if (hashOut) hashOut.textContent = String(body["contentHash"]);
      downloadLink(result.querySelector("#tm-download")!, `${JSON.stringify(answer.receipt, null, 2)}\n`, `tracemark-receipt-${answer.id}.json`);
      const page = result.querySelector("#tm-page")!;
      page.href = answer.links.page;
      page.textContent = answer.links.page;
      result.hidden = false;
      root.dataset["state"] = "done";
      root.dataset["recordId"] = answer.id;
      status.textContent = say(messages, "notarize.js.done");
      submit.disabled = false;
    })().catch((error: unknown) => fail(say(messages, "notarize.js.refused", { reason: String(error) })));
  });
}

main();
