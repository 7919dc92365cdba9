#pragma once

// A realistic API response body for the capture benchmarks: a JSON page of ~1 KiB (a list of
// orders: ids, names, e-mail addresses, amounts, timestamps, status words, booleans), each
// document different, seeded by `n`. Unlike 1 KiB of one repeated byte it compresses about as
// well as real API traffic does (zstd -1: ~2.3x), so compression is not flattered.

#include <cstdint>
#include <cstdio>
#include <iterator>
#include <string>

namespace portico::bench {

inline std::string variedJson(std::uint64_t n, int targetBytes = 1024)
{
    static const char *const kNames[] = { "Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra",
        "Barbara Liskov", "Donald Knuth", "Frances Allen", "Ken Thompson", "Margaret Hamilton",
        "Dennis Ritchie", "Radia Perlman", "John McCarthy", "Hedy Lamarr", "Tim Berners-Lee", "Anita Borg",
        "Leslie Lamport" };
    static const char *const kStatus[]
        = { "pending", "paid", "shipped", "delivered", "refunded", "cancelled" };
    static const char *const kItems[] = { "keyboard", "monitor", "cable", "laptop stand", "headset", "webcam",
        "mouse", "dock", "charger", "notebook", "pen set", "desk lamp" };
    static const char *const kCities[]
        = { "Lisbon", "Berlin", "Osaka", "Toronto", "Nairobi", "Lima", "Oslo", "Austin", "Pune", "Lyon" };
    std::uint64_t s = n * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    auto next = [&s]() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 0x2545F4914F6CDD1Dull;
    };
    std::string out;
    out.reserve(size_t(targetBytes) + 400);
    char buf[512];
    int len = std::snprintf(buf, sizeof buf,
        "{\"page\":%llu,\"per_page\":4,\"total\":%llu,\"generated_at\":\"2026-12-05T%02llu:%02llu:%02llu.%"
        "03lluZ\","
        "\"data\":[",
        static_cast<unsigned long long>(n % 500 + 1), static_cast<unsigned long long>(next() % 90000 + 2000),
        static_cast<unsigned long long>(next() % 24), static_cast<unsigned long long>(next() % 60),
        static_cast<unsigned long long>(next() % 60), static_cast<unsigned long long>(next() % 1000));
    out.append(buf, size_t(len));
    for (int i = 0; int(out.size()) < targetBytes - 40; ++i) {
        const char *name = kNames[next() % std::size(kNames)];
        char email[64];
        int e = 0;
        for (const char *c = name; *c && e < 40; ++c) {
            if (*c == ' ')
                email[e++] = '.';
            else if (*c >= 'A' && *c <= 'Z')
                email[e++] = char(*c - 'A' + 'a');
            else
                email[e++] = *c;
        }
        email[e] = 0;
        len = std::snprintf(buf, sizeof buf,
            "%s{\"id\":\"ord_%016llx\",\"customer\":{\"id\":%llu,\"name\":\"%s\",\"email\":\"%s%llu@example."
            "com\","
            "\"city\":\"%s\"},\"items\":[{\"sku\":\"SKU-%05llu\",\"name\":\"%s\",\"qty\":%llu,\"price\":%llu."
            "%02llu}],"
            "\"status\":\"%s\",\"gift\":%s,\"created_at\":\"2026-%02llu-%02lluT%02llu:%02llu:%02lluZ\"}",
            i ? "," : "", static_cast<unsigned long long>(next()),
            static_cast<unsigned long long>(next() % 1000000), name, email,
            static_cast<unsigned long long>(next() % 100), kCities[next() % std::size(kCities)],
            static_cast<unsigned long long>(next() % 100000), kItems[next() % std::size(kItems)],
            static_cast<unsigned long long>(next() % 5 + 1),
            static_cast<unsigned long long>(next() % 900 + 5), static_cast<unsigned long long>(next() % 100),
            kStatus[next() % std::size(kStatus)], next() % 4 == 0 ? "true" : "false",
            static_cast<unsigned long long>(next() % 12 + 1),
            static_cast<unsigned long long>(next() % 28 + 1), static_cast<unsigned long long>(next() % 24),
            static_cast<unsigned long long>(next() % 60), static_cast<unsigned long long>(next() % 60));
        out.append(buf, size_t(len));
    }
    out.append("]}");
    return out;
}

} // namespace portico::bench
