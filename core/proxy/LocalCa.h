#pragma once

// The forward proxy's local certificate authority (issue 18): created on first use, kept in two
// PEM files beside the workspace (the key readable by its owner only), and the leaf certificates
// it mints for the hosts a client CONNECTs to, so an intercepted HTTPS exchange can be decrypted
// and captured. What mitmproxy, HTTP Toolkit and Charles do; the user trusts the CA once.
//
// Keys are EC P-256 (fast to mint, accepted by every current TLS stack). The CA is valid 10
// years; leaves 30 days, backdated a day for clients with a slow clock, with the host in the
// subjectAltName (DNS or IP), serverAuth only. All leaves share one key, generated per process:
// minting is then one signature. Minted leaves are cached (least recently used dropped first).
// Thread-safe: workers on several threads ask for leaves at once.

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QString>

#include <list>
#include <memory>
#include <mutex>
#include <optional>

namespace portico::proxy {

struct CaFiles
{
    QString certPath;
    QString keyPath;
};

// The host a leaf may be minted for, normalised (lower case, IDN as punycode, no trailing dot),
// or an empty string when it is none: a DNS name (labels of letters, digits, '-' and '_', at most
// 63 bytes each and 253 in all) or an IP literal (IPv6 with or without brackets). Wildcards,
// spaces and control characters are refused: a client's CONNECT line or SNI chooses the name.
QString leafHostName(QStringView host);

class LocalCa
{
public:
    struct Leaf
    {
        QByteArray certificatePem;
        QByteArray keyPem; // the shared leaf key
        qint64 renewAfter = 0; // seconds since the epoch: a day before it expires, mint anew
    };

    // Loads the CA from `files`, creating both (and their folder) when neither exists. A pair
    // that does not load, does not match, is not a CA or has expired is an error naming the
    // file; so is one file without the other. `created` says whether they were made now.
    static std::shared_ptr<LocalCa> loadOrCreate(const CaFiles &files, QString *error, bool *created = nullptr);
    ~LocalCa();

    QByteArray certificatePem() const { return m_certPem; }
    QString subjectName() const { return m_subject; }
    QByteArray sha256Fingerprint() const { return m_fingerprint; } // hex, colon-separated
    QDateTime notAfter() const { return m_notAfter; }
    // Base64 SHA-256 of the leaves' public key (SubjectPublicKeyInfo); one key for every leaf.
    QByteArray leafSpkiSha256() const { return m_leafSpki; }

    // A leaf for `host` (see leafHostName), from the cache or minted now. A cached leaf is used
    // until its renewal point (`now`, in seconds since the epoch, is a parameter for tests), so a
    // Portico that runs for weeks never serves an expired one.
    std::optional<Leaf> leafFor(
        QStringView host, QString *error, qint64 now = QDateTime::currentSecsSinceEpoch());
    qsizetype cachedLeaves() const;
    void setCacheCapacity(qsizetype capacity);

private:
    struct Keys;
    LocalCa();

    std::unique_ptr<Keys> m_keys;
    QByteArray m_certPem;
    QByteArray m_leafKeyPem;
    QString m_subject;
    QByteArray m_fingerprint;
    QByteArray m_leafSpki;
    QDateTime m_notAfter;

    mutable std::mutex m_mutex;
    qsizetype m_capacity = 1024;
    struct CachedLeaf
    {
        QString name;
        QByteArray pem;
        qint64 renewAfter;
    };
    std::list<CachedLeaf> m_lru; // most recently used first
    QHash<QString, std::list<CachedLeaf>::iterator> m_index;
};

} // namespace portico::proxy
