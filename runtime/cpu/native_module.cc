#include "runtime/cpu/native_module.h"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "runtime/cpu/isa.h"
#include "runtime/cpu/thread_pool.h"
#include "support/strings.h"

namespace dlc::runtime::cpu {
namespace {

bool writeAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

template <typename T>
T readLe(std::string_view bytes, size_t at) {
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof(T));
  return value;
}

// The ELF headers describe a whole 64-bit little-endian shared object for
// `arch` that lies inside `bytes`: what the dynamic loader trusts before it
// maps anything. (A file that passes is still native code the caller chose
// to run; this catches truncation and corruption, as the artifact's hash does.)
absl::Status checkElf(std::string_view bytes, std::string_view arch) {
  auto bad = [](std::string_view why) {
    return absl::InvalidArgumentError(strCat("the compiled CPU code is not a valid shared object: ", why));
  };
  static constexpr unsigned char kMagic[] = {0x7f, 'E', 'L', 'F'};
  if (bytes.size() < 64 || std::memcmp(bytes.data(), kMagic, 4) != 0) return bad("no ELF header");
  if (bytes[4] != 2 || bytes[5] != 1) return bad("not 64-bit little-endian");
  if (readLe<uint16_t>(bytes, 16) != 3) return bad("not a shared object (ET_DYN)");
  uint16_t machine = readLe<uint16_t>(bytes, 18);
  uint16_t expected = arch == "x86_64" ? 62 : arch == "aarch64" ? 183 : 0;
  if (expected == 0 || machine != expected) return bad(strCat("machine type ", machine, " is not ", arch));
  uint64_t size = bytes.size();
  uint64_t phoff = readLe<uint64_t>(bytes, 32), shoff = readLe<uint64_t>(bytes, 40);
  uint16_t phentsize = readLe<uint16_t>(bytes, 54), phnum = readLe<uint16_t>(bytes, 56);
  uint16_t shentsize = readLe<uint16_t>(bytes, 58), shnum = readLe<uint16_t>(bytes, 60);
  if (phentsize != 56 || phnum == 0 || phoff > size || phnum * uint64_t{56} > size - phoff)
    return bad("program headers outside the file");
  if (shnum != 0 && (shentsize != 64 || shoff > size || shnum * uint64_t{64} > size - shoff))
    return bad("section headers outside the file");
  for (uint16_t i = 0; i < phnum; ++i) {
    size_t at = phoff + i * size_t{56};
    uint32_t type = readLe<uint32_t>(bytes, at);
    uint64_t offset = readLe<uint64_t>(bytes, at + 8), filesz = readLe<uint64_t>(bytes, at + 32),
             memsz = readLe<uint64_t>(bytes, at + 40);
    bool loaded = type == 1 || type == 2;  // PT_LOAD, PT_DYNAMIC
    if (loaded && (offset > size || filesz > size - offset || filesz > memsz))
      return bad(strCat("segment ", i, " lies outside the file"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status checkRunnable(std::string_view triple, const std::vector<std::string>& isa) {
  std::string_view arch = tripleArchitecture(triple);
  if (arch != machineArchitecture())
    return absl::UnavailableError(
        strCat("the compiled CPU code is for ", arch, " (", triple, "); this machine is ", machineArchitecture()));
  std::vector<std::string> missing = missingExtensions(isa);
  if (!missing.empty()) {
    std::string cpu = machineCpuName().empty() ? std::string("this CPU") : strCat("this CPU (", machineCpuName(), ")");
    return absl::UnavailableError(strCat("the compiled CPU code needs ", strJoin(missing, ", "), "; ", cpu,
                                         " has only ", strJoin(machineExtensions(), ", "),
                                         ". Compile for this machine (--target cpu) or a portable level "
                                         "(--target cpu:x86-64-v3)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<NativeModule>> NativeModule::load(std::string_view triple,
                                                                 const std::vector<std::string>& isa,
                                                                 std::string_view shared_object) {
  if (absl::Status s = checkRunnable(triple, isa); !s.ok()) return s;
  if (absl::Status s = checkElf(shared_object, tripleArchitecture(triple)); !s.ok()) return s;
  int fd = memfd_create("dlc-kernels", MFD_CLOEXEC);
  if (fd < 0) return absl::InternalError("cannot create a memory file for the compiled code");
  if (!writeAll(fd, shared_object)) {
    close(fd);
    return absl::InternalError("cannot write the compiled code to memory");
  }
  std::string path = strCat("/proc/self/fd/", fd);
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* error = dlerror();
    close(fd);
    return absl::InvalidArgumentError(strCat("cannot load the compiled CPU code: ", error ? error : "dlopen failed"));
  }
  std::unique_ptr<NativeModule> module(new NativeModule(handle, fd));
  void* pointer = dlsym(handle, kParallelForPointer);
  if (pointer == nullptr)
    return absl::InvalidArgumentError(strCat("the compiled CPU code does not define ", kParallelForPointer));
  *static_cast<void**>(pointer) = reinterpret_cast<void*>(&dlc_cpu_parallel_for);
  return module;
}

NativeModule::~NativeModule() {
  if (handle_) dlclose(handle_);
  if (fd_ >= 0) close(fd_);
}

KernelFn NativeModule::find(const std::string& name) const {
  return reinterpret_cast<KernelFn>(dlsym(handle_, name.c_str()));
}

}  // namespace dlc::runtime::cpu
