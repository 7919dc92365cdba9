#include "core/proxy/LocalCa.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QSysInfo>
#include <QUrl>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fcntl.h>
#include <unistd.h>

namespace portico::proxy {

namespace {

template <typename T, void (*F)(T *)>
struct Free
{
    void operator()(T *p) const { F(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Free<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Free<BIO, BIO_free_all>>;
using NamePtr = std::unique_ptr<X509_NAME, Free<X509_NAME, X509_NAME_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Free<BIGNUM, BN_free>>;

constexpr int kCaDays = 3650;
constexpr int kLeafDays = 30;
constexpr long kBackdateSeconds = 24 * 3600;

QString openSslError()
{
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (!e)
        return QStringLiteral("unknown OpenSSL error");
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    return QString::fromLatin1(text);
}

PkeyPtr newEcKey()
{
    return PkeyPtr(EVP_EC_gen("P-256"));
}

QByteArray pemOf(X509 *cert)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), cert);
    char *data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, qsizetype(n));
}

QByteArray pemOf(EVP_PKEY *key)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    char *data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, qsizetype(n));
}

// A random positive 127-bit serial (RFC 5280 allows 20 octets; browsers want them unpredictable).
bool setRandomSerial(X509 *cert)
{
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        return false;
    bytes[0] &= 0x7f;
    BnPtr bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
    return bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

bool addExtension(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext)
        return false;
    const bool ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

// Creates a file readable by its owner only, failing if it exists (no window in which another
// user could open it, no overwriting a key).
bool writePrivateFile(const QString &path, const QByteArray &data, QString *error)
{
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = QStringLiteral("%1: cannot create: %2").arg(path, QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.constData() + done, size_t(data.size() - done));
        if (n <= 0) {
            ::close(fd);
            ::unlink(native.constData());
            *error = QStringLiteral("%1: cannot write").arg(path);
            return false;
        }
        done += n;
    }
    ::fsync(fd);
    ::close(fd);
    return true;
}

QString subjectText(X509_NAME *name)
{
    char buffer[512];
    X509_NAME_oneline(name, buffer, sizeof buffer);
    return QString::fromUtf8(buffer);
}

QDateTime toDateTime(const ASN1_TIME *t)
{
    struct tm parts = {};
    if (ASN1_TIME_to_tm(t, &parts) != 1)
        return {};
    return QDateTime(QDate(parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday),
                     QTime(parts.tm_hour, parts.tm_min, parts.tm_sec), Qt::UTC);
}

} // namespace

struct LocalCa::Keys
{
    X509Ptr caCert;
    PkeyPtr caKey;
    PkeyPtr leafKey;
};

QString leafHostName(QStringView host)
{
    QString h = host.trimmed().toString();
    if (h.startsWith(QLatin1Char('[')) && h.endsWith(QLatin1Char(']')))
        h = h.mid(1, h.size() - 2);
    if (h.endsWith(QLatin1Char('.')))
        h.chop(1);
    if (h.isEmpty() || h.size() > 253)
        return {};
    QHostAddress address;
    if (address.setAddress(h))
        return address.toString(); // canonical (IPv6 compressed, no scope games)
    // IDN: the ACE form is what goes into a certificate.
    for (const QChar c : h) {
        if (c.unicode() < 0x21 || c == QLatin1Char('*') || c == QLatin1Char('/') || c == QLatin1Char('\\'))
            return {};
    }
    const QByteArray ace = QUrl::toAce(h.toLower());
    if (ace.isEmpty() || ace.size() > 253)
        return {};
    // A name whose ASCII form reads as an address ("³1" maps to "31", i.e. 0.0.0.31) names
    // neither: refused, so the check is the same for a name and for what it returns.
    if (!QHostAddress(QString::fromLatin1(ace)).isNull())
        return {};
    for (const QByteArray &label : ace.split('.')) {
        if (label.isEmpty() || label.size() > 63)
            return {};
        for (const char c : label) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok)
                return {};
        }
    }
    return QString::fromLatin1(ace);
}

LocalCa::LocalCa()
    : m_keys(std::make_unique<Keys>())
{
}

LocalCa::~LocalCa() = default;

std::shared_ptr<LocalCa> LocalCa::loadOrCreate(const CaFiles &files, QString *error, bool *created)
{
    if (created)
        *created = false;
    const bool haveCert = QFileInfo::exists(files.certPath);
    const bool haveKey = QFileInfo::exists(files.keyPath);
    if (haveCert != haveKey) {
        *error = QStringLiteral("%1: exists without %2; move it away to create a new CA, or restore the other file")
                     .arg(haveCert ? files.certPath : files.keyPath, haveCert ? files.keyPath : files.certPath);
        return nullptr;
    }
    std::shared_ptr<LocalCa> ca(new LocalCa);
    Keys &k = *ca->m_keys;
    if (!haveCert) {
        // A new CA.
        k.caKey = newEcKey();
        k.caCert.reset(X509_new());
        X509 *cert = k.caCert.get();
        NamePtr name(X509_NAME_new());
        const QByteArray host = QSysInfo::machineHostName().toUtf8().left(40);
        const QByteArray cn = "Portico Local CA" + (host.isEmpty() ? QByteArray() : " (" + host + ")");
        X509_NAME_add_entry_by_txt(name.get(), "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char *>("Portico"), -1, -1, 0);
        X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char *>(cn.constData()), -1, -1, 0);
        const bool ok = k.caKey && X509_set_version(cert, 2) && setRandomSerial(cert)
            && X509_set_subject_name(cert, name.get()) && X509_set_issuer_name(cert, name.get())
            && X509_gmtime_adj(X509_getm_notBefore(cert), -kBackdateSeconds)
            && X509_time_adj_ex(X509_getm_notAfter(cert), kCaDays, 0, nullptr) && X509_set_pubkey(cert, k.caKey.get())
            && addExtension(cert, cert, NID_basic_constraints, "critical,CA:TRUE,pathlen:0")
            && addExtension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature")
            && addExtension(cert, cert, NID_subject_key_identifier, "hash")
            && X509_sign(cert, k.caKey.get(), EVP_sha256()) > 0;
        if (!ok) {
            *error = QStringLiteral("cannot create the local CA: %1").arg(openSslError());
            return nullptr;
        }
        for (const QString &path : { files.certPath, files.keyPath }) {
            const QString dir = QFileInfo(path).absolutePath();
            if (!QDir().mkpath(dir)) {
                *error = QStringLiteral("%1: cannot create the folder").arg(dir);
                return nullptr;
            }
        }
        // The key first: a certificate without its key would be refused on the next start.
        if (!writePrivateFile(files.keyPath, pemOf(k.caKey.get()), error))
            return nullptr;
        QFile certFile(files.certPath);
        if (!certFile.open(QIODevice::WriteOnly | QIODevice::NewOnly) || certFile.write(pemOf(cert)) < 0) {
            *error = QStringLiteral("%1: cannot write: %2").arg(files.certPath, certFile.errorString());
            QFile::remove(files.keyPath);
            return nullptr;
        }
        if (created)
            *created = true;
    } else {
        const auto readPem = [error](const QString &path, QByteArray *out) {
            QFile f(path);
            if (!f.open(QIODevice::ReadOnly)) {
                *error = QStringLiteral("%1: cannot read: %2").arg(path, f.errorString());
                return false;
            }
            *out = f.read(1024 * 1024);
            return true;
        };
        QByteArray certPem, keyPem;
        if (!readPem(files.certPath, &certPem) || !readPem(files.keyPath, &keyPem))
            return nullptr;
        BioPtr certBio(BIO_new_mem_buf(certPem.constData(), int(certPem.size())));
        k.caCert.reset(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
        if (!k.caCert) {
            *error = QStringLiteral("%1: not a PEM certificate (%2)").arg(files.certPath, openSslError());
            return nullptr;
        }
        BioPtr keyBio(BIO_new_mem_buf(keyPem.constData(), int(keyPem.size())));
        k.caKey.reset(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
        if (!k.caKey) {
            *error = QStringLiteral("%1: not an unencrypted PEM private key (%2)").arg(files.keyPath, openSslError());
            return nullptr;
        }
        if (X509_check_private_key(k.caCert.get(), k.caKey.get()) != 1) {
            ERR_clear_error();
            *error = QStringLiteral("%1: the key does not belong to the certificate %2").arg(files.keyPath, files.certPath);
            return nullptr;
        }
        if (X509_check_ca(k.caCert.get()) != 1) {
            *error = QStringLiteral("%1: not a CA certificate (basicConstraints CA:TRUE and keyCertSign needed)")
                         .arg(files.certPath);
            return nullptr;
        }
        if (X509_cmp_current_time(X509_get0_notAfter(k.caCert.get())) <= 0) {
            *error = QStringLiteral("%1: the CA certificate has expired; move both files away to create a new one")
                         .arg(files.certPath);
            return nullptr;
        }
    }
    k.leafKey = newEcKey();
    if (!k.leafKey) {
        *error = QStringLiteral("cannot create the leaf key: %1").arg(openSslError());
        return nullptr;
    }
    ca->m_certPem = pemOf(k.caCert.get());
    ca->m_leafKeyPem = pemOf(k.leafKey.get());
    ca->m_subject = subjectText(X509_get_subject_name(k.caCert.get()));
    ca->m_notAfter = toDateTime(X509_get0_notAfter(k.caCert.get()));
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    X509_digest(k.caCert.get(), EVP_sha256(), digest, &length);
    ca->m_fingerprint = QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex(':').toUpper();
    // The leaves' SubjectPublicKeyInfo, hashed: what Chromium's --ignore-certificate-errors-spki-list
    // takes, so a browser started for interception accepts them without touching any trust store.
    unsigned char *spki = nullptr;
    const int spkiLength = i2d_PUBKEY(k.leafKey.get(), &spki);
    if (spkiLength > 0) {
        unsigned char hash[EVP_MAX_MD_SIZE];
        unsigned int hashLength = 0;
        EVP_Digest(spki, size_t(spkiLength), hash, &hashLength, EVP_sha256(), nullptr);
        ca->m_leafSpki = QByteArray(reinterpret_cast<const char *>(hash), int(hashLength)).toBase64();
    }
    OPENSSL_free(spki);
    return ca;
}

std::optional<LocalCa::Leaf> LocalCa::leafFor(QStringView host, QString *error, qint64 now)
{
    const QString name = leafHostName(host);
    if (name.isEmpty()) {
        QString shown = host.left(80).toString(); // for a log line: no control characters
        for (QChar &c : shown) {
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                c = QLatin1Char('?');
        }
        *error = QStringLiteral("'%1' is not a host name or IP address a certificate can be made for").arg(shown);
        return std::nullopt;
    }
    std::lock_guard lock(m_mutex);
    if (const auto it = m_index.find(name); it != m_index.end()) {
        if (now < it.value()->renewAfter) {
            m_lru.splice(m_lru.begin(), m_lru, it.value());
            return Leaf { it.value()->pem, m_leafKeyPem, it.value()->renewAfter };
        }
        m_lru.erase(it.value()); // near its end: minted anew below
        m_index.erase(it);
    }
    Keys &k = *m_keys;
    X509Ptr cert(X509_new());
    NamePtr subject(X509_NAME_new());
    const QByteArray cn = name.toUtf8().left(64); // the CN's limit; the SAN holds the whole name
    X509_NAME_add_entry_by_txt(subject.get(), "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char *>(cn.constData()), -1, -1, 0);
    const bool ip = !QHostAddress(name).isNull();
    const QByteArray san = (ip ? "IP:" : "DNS:") + name.toUtf8();
    X509 *c = cert.get();
    const bool ok = X509_set_version(c, 2) && setRandomSerial(c) && X509_set_subject_name(c, subject.get())
        && X509_set_issuer_name(c, X509_get_subject_name(k.caCert.get()))
        && X509_gmtime_adj(X509_getm_notBefore(c), -kBackdateSeconds)
        && X509_time_adj_ex(X509_getm_notAfter(c), kLeafDays, 0, nullptr) && X509_set_pubkey(c, k.leafKey.get())
        && addExtension(c, k.caCert.get(), NID_basic_constraints, "critical,CA:FALSE")
        && addExtension(c, k.caCert.get(), NID_key_usage, "critical,digitalSignature")
        && addExtension(c, k.caCert.get(), NID_ext_key_usage, "serverAuth")
        && addExtension(c, k.caCert.get(), NID_subject_alt_name, san.constData())
        && addExtension(c, k.caCert.get(), NID_authority_key_identifier, "keyid:always")
        && X509_sign(c, k.caKey.get(), EVP_sha256()) > 0;
    if (!ok) {
        *error = QStringLiteral("cannot mint a certificate for %1: %2").arg(name, openSslError());
        return std::nullopt;
    }
    QByteArray pem = pemOf(c);
    const qint64 renewAfter = now + qint64(kLeafDays - 1) * 24 * 3600;
    m_lru.push_front({ name, pem, renewAfter });
    m_index.insert(name, m_lru.begin());
    while (m_lru.size() > size_t(std::max<qsizetype>(m_capacity, 1))) {
        m_index.remove(m_lru.back().name);
        m_lru.pop_back();
    }
    return Leaf { std::move(pem), m_leafKeyPem, renewAfter };
}

qsizetype LocalCa::cachedLeaves() const
{
    std::lock_guard lock(m_mutex);
    return qsizetype(m_lru.size());
}

void LocalCa::setCacheCapacity(qsizetype capacity)
{
    std::lock_guard lock(m_mutex);
    m_capacity = capacity;
}

} // namespace portico::proxy
