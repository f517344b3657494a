// Reads manifest.json out of a job's .tar.gz artifact in the browser: the bytes come from the public S3 API (the
// console's download link redirects to a presigned URL), are gunzipped with the browser's DecompressionStream and
// walked as a ustar archive.
const MAX_BYTES = 256 * 1024 * 1024;
const MANIFESTS = ['sagebrush/manifest.json', 'manifest.json'];

export async function readManifest(url) {
  const r = await fetch(url, { credentials: 'same-origin' });
  if (!r.ok) throw new Error('Download failed: ' + r.status + ' ' + (await r.text()).slice(0, 200));
  const tar = new Uint8Array(await new Response(r.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
  if (tar.length > MAX_BYTES) throw new Error('Artifact too large to inspect here');
  const text = new TextDecoder();
  let longName = null;
  for (let off = 0; off + 512 <= tar.length;) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (a, b) => text.decode(header.subarray(a, b)).replace(/\0.*$/s, '');
    const size = parseInt(field(124, 136).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 48);
    const prefix = field(345, 500);
    let name = longName || (prefix ? prefix + '/' : '') + field(0, 100);
    longName = null;
    const data = tar.subarray(off + 512, off + 512 + size);
    if (type === 'L') longName = text.decode(data).replace(/\0.*$/s, '');
    // Sagebrush's manifest: sagebrush/manifest.json beside DLR's files, or manifest.json at the top (older artifacts).
    else if ((type === '0' || type === '\0') && MANIFESTS.includes(name.replace(/^\.\//, ''))) return JSON.parse(text.decode(data));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error('The artifact holds no manifest.json');
}
