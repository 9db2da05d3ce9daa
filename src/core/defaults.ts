// The defaults every entry point starts from (CLI, editor, rules), in one place. Each is what the
// kernel or a real machine gives when nobody says otherwise; overrides come from options, settings
// and the .config.

/** Kernel era for constants and linker order when none is given. */
export const DEFAULT_KERNEL = '6.12';
/** NR_CPUS when neither the caller nor the .config gives one: x86_64's Kconfig default (arch/x86/Kconfig). */
export const DEFAULT_NR_CPUS = 64;
/** The kernel's own upper bound for NR_CPUS (MAXSMP); the allocator model has the same limit. */
export const MAX_NR_CPUS = 8192;
/** Possible CPUs (nr_cpu_ids) when not given: min(NR_CPUS, this). */
export const DEFAULT_POSSIBLE_CPUS = 8;
/** Instances of a struct holding an NR_CPUS array, for per-instance costs (2000 modules loaded). */
export const DEFAULT_INSTANCES = 2000;
/**
 * The rules' machine when the estimate does not price them: a distro x86_64 kernel (Debian 12:
 * CONFIG_NR_CPUS=8192, boot line "Embedded 64 pages/cpu s225280 r8192 d28672 u262144") on 64 CPUs.
 */
export const DISTRO_MACHINE = { nrCpus: 8192, possibleCpus: 64, unitSize: 262144 } as const;
