#pragma once

#include <QString>
#include <QStringList>

namespace portico::test {

// A self-signed certificate made in-process with OpenSSL (EC P-256, SHA-256, valid from an hour ago
// for a week), for TLS listeners and upstreams in tests. It is marked CA:TRUE so the same file
// serves as the trust anchor a client adds (caPath == certPath).
class SelfSignedCert final
{
public:
    struct Files
    {
        QString certPath; // PEM certificate
        QString keyPath; // PEM private key (PKCS#8, unencrypted)
    };

    // Writes cert.pem and key.pem into `dir` (which must exist). Names go into the subjectAltName:
    // entries that parse as IP addresses become IP:, the rest DNS:. The first DNS name is the CN.
    // On failure returns false with the OpenSSL reason in *error.
    static bool write(const QString &dir, Files *files, QString *error = nullptr,
        const QStringList &names
        = { QStringLiteral("localhost"), QStringLiteral("127.0.0.1"), QStringLiteral("::1") });
};

} // namespace portico::test
