/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SAMPLE_THREADS_H
#define _SAMPLE_THREADS_H

#define NR_CPUS		CONFIG_NR_CPUS

#endif
