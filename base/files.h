#pragma once
// Files the way every room writes them: atomically (a temporary file renamed into place), parent
// directories made 0700, files 0600 unless asked otherwise; and read with a size cap.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace dct {

// Whether a write waits for the data to reach the disk before it is renamed into place.
// Keys, staged changes and trusted roots must survive a crash; other cached metadata is
// verified on every read and fetched again when damaged, so it need not wait.
enum class Durability { synced, unsynced };

// Writes a file atomically with the given mode, creating parent directories with 0700.
// Throws dct::Error(io_failure) naming the file and, for a full or read-only disk, what to do.
void write_file_atomic(const std::filesystem::path& path, const std::string& bytes,
                       unsigned mode = 0600, Durability durability = Durability::synced);
// The file's bytes; nullopt when it is missing, not a regular file, or larger than max_size.
std::optional<std::string> read_file_capped(const std::filesystem::path& path,
                                            std::size_t max_size);
// Bytes [from, to) of the same file (to capped at its end) handed to `sink` in pieces of at
// most 64 KiB, in order, for a reader that needs only a pass over them (a hash): a large file
// is never held whole. False when read_file_capped would give nullopt.
using ChunkSink = std::function<void(std::string_view)>;
bool read_file_in_chunks(const std::filesystem::path& path, std::size_t max_size, std::size_t from,
                         std::size_t to, const ChunkSink& sink);

}  // namespace dct
