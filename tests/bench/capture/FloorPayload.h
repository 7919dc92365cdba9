#pragma once

// bench_sqlite_floor's payload places for issue 19's "payload pages written once" lever, the I/O
// counters it prints and its kill -9 test. Bench code: no Qt, no product code.

#include <sqlite3.h>

#include <functional>
#include <string>

namespace portico::bench {

// /proc/self/io: bytes handed to write()/pwrite() (wchar, each one a copy into the page cache),
// the number of such calls (syscw), the bytes that dirtied pages bound for the disk
// (write_bytes - cancelled_write_bytes; a page rewritten while still dirty counts once) and the
// bytes read back through read()/pread() (rchar: the checkpoint reading WAL frames).
struct IoCounters
{
    long long wchar = 0;
    long long syscw = 0;
    long long storage = 0;
    long long rchar = 0;
};
IoCounters readIo();

// --layout attached: `path` ATTACHed to `db` as "payload" with its own journal mode
// (wal|delete|truncate|persist|memory|off) and synchronous (off|normal|full), holding the heads
// and bodies tables. Exits on error.
void attachPayload(sqlite3 *db, const std::string &path, const std::string &journal, const std::string &sync);

// --layout appendfile: heads and bodies appended to a plain file, one write() per batch, before
// the batch's COMMIT (so a committed row only ever points at bytes the kernel already has);
// `sync` adds an fdatasync() per batch (what a power cut, not a kill, would need).
class AppendFile
{
public:
    AppendFile() = default;
    AppendFile(const AppendFile &) = delete;
    AppendFile &operator=(const AppendFile &) = delete;
    ~AppendFile();
    bool open(const std::string &path, bool sync);
    long long append(const std::string &bytes); // the offset `bytes` will have in the file
    void flush();

private:
    int m_fd = -1;
    bool m_sync = false;
    long long m_offset = 0;
    std::string m_buffer;
};

// --crash-test N: N times, run `bench` (which never finishes on its own) in a child process, kill
// it with SIGKILL a random 0-1.3 s after its first COMMIT (almost always inside a batch's
// transaction or COMMIT), reopen what it left like a new writer would, run PRAGMA
// integrity_check on each file and check that the exchanges rows and their payloads agree.
// Returns 1 if any file failed integrity_check, else 0.
struct CrashSetup
{
    std::string layout;
    std::string mainPath;
    std::string payloadPath;
    int kills = 0;
};
int crashTest(const CrashSetup &setup, const std::function<int()> &bench);
// Called by the bench after its first COMMIT: tells crashTest's parent that the files exist.
void crashTestReady();

} // namespace portico::bench
