// Type lookup in a small kernel-shaped tree, checked against gcc compiling the same tree:
// the header a translation unit really includes wins over a same-directory header it does not,
// a typedef whose type is an attribute-like word (`typedef u16 __compat_uid_t;`) does not
// define that word, `__signed__` is a type keyword, and typedefs made by a header's own macro count.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ARCHES } from '../../src/core/config/arch';
import { parseDotConfig } from '../../src/core/config/kconfig';
import { LayoutEngine, isUnknown } from '../../src/core/layout';
import { FALLBACK_FILE } from '../../src/core/layout/fallback';
import { compileSizes } from './support/gccTruth';

const TREE: Record<string, string> = {
  'include/uapi/asm-generic/int-ll64.h': 'typedef __signed__ char __s8;\ntypedef unsigned short __u16;\ntypedef __signed__ long long __s64;\n',
  'include/linux/types.h': '#include <asm-generic/int-ll64.h>\n#define __bitwise\ntypedef __u16 u16;\ntypedef __u16 __bitwise __le16;\n',
  // an SMP-only lock and its UP twin in the same directory as the header that picks one
  'include/linux/lock_types_up.h': 'typedef struct { } arch_lock_t;\n',
  'include/linux/lock_types.h': '#ifdef CONFIG_SMP\n#include <asm/lock_types.h>\n#else\n#include <linux/lock_types_up.h>\n#endif\ntypedef struct raw_lock { arch_lock_t l; } raw_lock_t;\n',
  'arch/x86/include/asm/lock_types.h': '#include <linux/types.h>\ntypedef struct { union { unsigned int val; struct { u16 lo, hi; }; }; } arch_lock_t;\n',
  'arch/x86/include/asm/compat.h': '#include <linux/types.h>\ntypedef u16 __compat_uid_t;\ntypedef u16 __compat_gid_t;\n',
  // as include/linux/seqlock_types.h: typedefs made by a file-local macro, #undef'd after use,
  // with a member macro that expands to nothing (an empty `;` member)
  'include/linux/seq_types.h': '#define __SEQ_LOCK(expr)\n' +
    '#define SEQCOUNT_LOCKNAME(lockname, locktype) \\\ntypedef struct seqcount_##lockname { \\\n\tunsigned int seq; \\\n' +
    '\t__SEQ_LOCK(locktype *lock); \\\n} seqcount_##lockname##_t;\n' +
    'SEQCOUNT_LOCKNAME(raw_lock, raw_lock_t)\nSEQCOUNT_LOCKNAME(mutex, struct mutex)\n#undef SEQCOUNT_LOCKNAME\n',
  // as arch/x86/include/asm/page_{32,64}_types.h and include/linux/vm_event_item.h: a header's
  // #if uses a macro both width variants define
  'arch/x86/include/asm/page_32_types.h': '#define THREAD_SIZE 8192\n',
  'arch/x86/include/asm/page_64_types.h': '#define THREAD_SIZE 16384\n',
  'arch/x86/include/asm/page_types.h': '#ifdef CONFIG_X86_64\n#include <asm/page_64_types.h>\n#else\n#include <asm/page_32_types.h>\n#endif\n',
  'include/linux/vm_event_item.h': '#include <asm/page_types.h>\nenum vm_event_item { PGFREE,\n#if THREAD_SIZE > 8192\nKSTACK_16K,\n#endif\nNR_VM_EVENT_ITEMS };\n' +
    'struct vm_event_state { unsigned long event[NR_VM_EVENT_ITEMS]; };\n',
  'kernel/user.c': '#include <linux/types.h>\n#include <linux/vm_event_item.h>\n#include <linux/lock_types.h>\n#include <asm/compat.h>\n#include <linux/seq_types.h>\n' +
    'struct stat_like { __s8 a; __s64 b; __le16 c; __compat_uid_t uid; raw_lock_t lock; u16 d; };\n' +
    'struct hr_base { raw_lock_t lock; seqcount_raw_lock_t seq; long x; seqcount_mutex_t m; };\n',
};

const PROBES = ['u16', '__le16', '__s64', '__compat_uid_t', 'raw_lock_t', 'struct stat_like', 'seqcount_raw_lock_t', 'struct hr_base',
  'struct vm_event_state'];

describe('layout in a kernel-shaped tree (include order, typedef names, __signed__)', function () {
  this.timeout(60_000);
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-tree-'));
    for (const [f, t] of Object.entries(TREE)) {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), t);
    }
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('sizeof and alignof of each probe equal gcc\'s for the same tree and CONFIG_SMP=y', async () => {
    const src = `#include "${path.join(root, 'kernel/user.c')}"\n` +
      PROBES.map((t, i) => `char size_${i}[sizeof(${t})]; char align_${i}[__alignof__(${t})];`).join('\n') + '\n';
    const inc = ['arch/x86/include', 'include', 'include/uapi'].flatMap((d) => ['-I', path.join(root, d)]);
    const truth = compileSizes('gcc', ['-m64', '-DCONFIG_SMP=1', '-DCONFIG_X86_64=1', ...inc], src);
    const cfg = parseDotConfig('CONFIG_SMP=y\nCONFIG_X86_64=y\n', 'test .config');
    const engine = await LayoutEngine.create({ arch: ARCHES.x86_64, config: cfg, root });
    PROBES.forEach((t, i) => {
      const r = engine.sizeOf(t, path.join(root, 'kernel/user.c'));
      assert.ok(!isUnknown(r), `${t}: ${isUnknown(r) ? r.error : ''}`);
      assert.deepStrictEqual([r.size, r.align], [truth.get(`size_${i}`), truth.get(`align_${i}`)], t);
    });
    // the figures themselves, so a broken probe cannot pass silently
    assert.strictEqual(truth.get(`size_${PROBES.indexOf('raw_lock_t')}`), 4);
    assert.strictEqual(truth.get(`size_${PROBES.indexOf('struct stat_like')}`), 32);
    assert.strictEqual(truth.get(`size_${PROBES.indexOf('struct hr_base')}`), 24);
    assert.strictEqual(truth.get(`size_${PROBES.indexOf('struct vm_event_state')}`), 16);
  });

  it('the fallback header is read once: every lookup that ends there meets the same file', async () => {
    const engine = await LayoutEngine.create({ arch: ARCHES.x86_64, config: parseDotConfig('CONFIG_SMP=y\n', 'test .config'), root });
    const first = engine.index.load(FALLBACK_FILE);
    assert.ok(first?.scan.defines.has('____cacheline_aligned'));
    assert.strictEqual(engine.index.load(FALLBACK_FILE), first);
    // a name no header of the tree defines is the fallback's (the lookup that loaded it ~10,000 times a Debian run)
    assert.strictEqual(engine.index.macro('__cacheline_aligned_in_smp', path.join(root, 'kernel/user.c'))?.source, FALLBACK_FILE);
    assert.strictEqual(engine.index.load(FALLBACK_FILE), first);
  });
});
