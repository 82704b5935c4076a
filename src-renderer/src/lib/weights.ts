/** Decodes the mosaic's base64 float32 little-endian weights. */
export function decodeFloat32(base64: string): Float32Array {
  const bin = atob(base64)
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  const n = Math.floor(bytes.length / 4)
  const view = new DataView(bytes.buffer)
  const out = new Float32Array(n)
  // DataView rather than a Float32Array view of the bytes: the wire format is little-endian whatever the host.
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true)
  return out
}
