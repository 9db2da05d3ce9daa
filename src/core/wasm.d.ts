// Node has WebAssembly; the project's libs (ES2022, no DOM) do not declare it: what the byte
// searches use of it (parse/prefilter.ts, estimate/fileFacts.ts).
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: object };
};
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
