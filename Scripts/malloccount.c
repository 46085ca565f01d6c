// LD_PRELOAD shim counting malloc/calloc/realloc/posix_memalign calls, for the
// opt-in allocation check in PerformanceTests. Build:
//   cc -shared -fPIC -O2 -o Scripts/malloccount.so Scripts/malloccount.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>

static _Atomic uint64_t count;
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static char bootstrap[4096];
static size_t bootstrap_used;

uint64_t lvssim_malloc_count(void) { return count; }

void *malloc(size_t size) {
    if (!real_malloc) real_malloc = dlsym(RTLD_NEXT, "malloc");
    count++;
    return real_malloc(size);
}

void *calloc(size_t n, size_t size) {
    static int resolving;
    if (!real_calloc) {
        // dlsym itself may call calloc: serve that call from a static buffer.
        if (resolving) {
            size_t total = (n * size + 15) & ~(size_t)15;
            if (bootstrap_used + total > sizeof bootstrap) return NULL;
            void *p = bootstrap + bootstrap_used;
            bootstrap_used += total;
            return p;
        }
        resolving = 1;
        real_calloc = dlsym(RTLD_NEXT, "calloc");
        resolving = 0;
    }
    count++;
    return real_calloc(n, size);
}

void *realloc(void *p, size_t size) {
    if (!real_realloc) real_realloc = dlsym(RTLD_NEXT, "realloc");
    count++;
    return real_realloc(p, size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (!real_posix_memalign) real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    count++;
    return real_posix_memalign(out, alignment, size);
}
