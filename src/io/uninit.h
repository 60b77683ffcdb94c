// A byte buffer whose growth does not zero the new bytes: the readers fill them at once from the
// input. std::string and std::vector<char> value-initialise on resize, which for a 1 MiB buffer a
// file made reading a folder of 873 small files spend 90% of its time in memset (callgrind).
// C++23's resize_and_overwrite would do; until then, the standard default-initialising allocator
// idiom (construct() without arguments default-initialises).
#pragma once

#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace tallyscope {

template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  using std::allocator<T>::allocator;
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

using ByteBuffer = std::vector<char, DefaultInitAllocator<char>>;

}  // namespace tallyscope
