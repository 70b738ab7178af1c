// Reads a ZIP the service sent back into memory, every file by name, with yauzl: a reader written
// by others than the writer the service uses (yazl's output is checked, not trusted).
import yauzl from "yauzl";

export async function readZip(zip: Buffer): Promise<Map<string, Buffer>> {
  const archive = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromBuffer(zip, { lazyEntries: true }, (error, opened) => (error ? reject(error) : resolve(opened))));
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    archive.on("entry", (entry: yauzl.Entry) => {
      archive.openReadStream(entry, async (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        try {
          for await (const chunk of stream) chunks.push(chunk as Buffer);
        } catch (failure) {
          return reject(failure);
        }
        files.set(entry.fileName, Buffer.concat(chunks));
        archive.readEntry();
      });
    });
    archive.once("end", resolve);
    archive.once("error", reject);
    archive.readEntry();
  });
  return files;
}
