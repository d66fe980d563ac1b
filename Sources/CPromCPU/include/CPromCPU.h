#ifndef CPROMCPU_H
#define CPROMCPU_H

// The calling thread's CPU number, read inline from the restartable-sequences area that glibc (2.35 and later)
// registers for every thread: one thread-pointer-relative load, no call. Falls back to sched_getcpu() when rseq
// is not registered, and to 0 where neither exists. Used to pick per-CPU slots (counter shards, reader counts).

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#if defined(__linux__)
#include <sched.h>
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35)) && __has_include(<sys/rseq.h>)
#include <sys/rseq.h>
#define CPROMCPU_HAS_RSEQ 1
#endif
#endif

static inline int CPromCPU_current(void) {
#if defined(CPROMCPU_HAS_RSEQ)
    const struct rseq *area = (const struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
    int cpu = (int)__atomic_load_n(&area->cpu_id, __ATOMIC_RELAXED);
    if (cpu >= 0) {
        return cpu;
    }
    cpu = sched_getcpu();
    return cpu >= 0 ? cpu : 0;
#elif defined(__linux__)
    int cpu = sched_getcpu();
    return cpu >= 0 ? cpu : 0;
#else
    return 0;
#endif
}

#endif
