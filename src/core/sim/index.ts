export { buildFirstChunk, FirstChunkInput, FirstChunk, FirstChunkGroup } from './firstChunk';
