// An LD_PRELOAD library for the benchmarks: counts the heap allocations of the process it is
// loaded into (malloc, calloc, realloc, the aligned ones; operator new calls malloc), in a
// shared counter the bench reads while the process runs. Without SENSORYD_ALLOC_COUNTER (a file
// path) it only counts in memory. Frees are not counted: the figure is allocations made.
//   LD_PRELOAD=.../libsensoryd-count-alloc.so SENSORYD_ALLOC_COUNTER=/tmp/x sensoryd ...
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* pointer, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
}

namespace {

std::atomic<std::uint64_t> early_count{0};
// Points at the shared page once it is mapped (a constructor, before main), else at the above.
std::atomic<std::atomic<std::uint64_t>*> counter{&early_count};

void counted() {
  counter.load(std::memory_order_relaxed)->fetch_add(1, std::memory_order_relaxed);
}

// No allocation here: getenv, open, ftruncate and mmap do not allocate.
__attribute__((constructor)) void map_counter() {
  const char* path = std::getenv("SENSORYD_ALLOC_COUNTER");
  if (path == nullptr) return;
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return;
  if (ftruncate(fd, 4096) == 0) {
    void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (page != MAP_FAILED) {
      auto* shared = new (page) std::atomic<std::uint64_t>{early_count.load()};
      counter.store(shared);
    }
  }
  close(fd);
}

}  // namespace

extern "C" {

void* malloc(std::size_t size) {
  counted();
  return __libc_malloc(size);
}

void* calloc(std::size_t count, std::size_t size) {
  counted();
  return __libc_calloc(count, size);
}

void* realloc(void* pointer, std::size_t size) {
  counted();
  return __libc_realloc(pointer, size);
}

void* memalign(std::size_t alignment, std::size_t size) {
  counted();
  return __libc_memalign(alignment, size);
}

void* aligned_alloc(std::size_t alignment, std::size_t size) {
  counted();
  return __libc_memalign(alignment, size);
}

int posix_memalign(void** into, std::size_t alignment, std::size_t size) {
  counted();
  void* pointer = __libc_memalign(alignment, size);
  if (pointer == nullptr) return 12;  // ENOMEM
  *into = pointer;
  return 0;
}

}  // extern "C"
