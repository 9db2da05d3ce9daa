// Reads whole source files through one reused buffer. fs.readFileSync allocates a fresh buffer per
// file; over the tens of thousands of headers and sources an estimate reads, those blocks leave
// glibc's heap fragmented (its mmap threshold rises after the first big file) and peak RSS ~60 MB
// higher. The text itself is a V8 string either way.
import * as fs from 'fs';
import { redirect } from './overlay';

/** bigger one-off buffers are dropped after use */
const KEEP = 4 * 1024 * 1024;
let scratch = Buffer.allocUnsafe(256 * 1024);

/** fs.readFileSync(file, encoding), with the same errors. */
export function readText(file: string, encoding: 'utf8' | 'latin1'): string {
  const fd = fs.openSync(redirect(file), 'r');
  try {
    // room for the whole file and one byte more, so a file that grew is seen growing
    const need = fs.fstatSync(fd).size + 1;
    let buf = need <= scratch.length ? scratch : Buffer.allocUnsafe(need);
    let got = 0;
    for (;;) {
      if (got === buf.length) {
        const b = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(b, 0, 0, got);
        buf = b;
      }
      const k = fs.readSync(fd, buf, got, buf.length - got, null);
      if (k === 0) break;
      got += k;
    }
    if (buf.length <= KEEP) scratch = buf;
    return buf.toString(encoding, 0, got);
  } finally {
    fs.closeSync(fd);
  }
}
