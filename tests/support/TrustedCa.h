#pragma once

#include <QSslConfiguration>
#include <QString>

namespace portico::test {

// Trusts `caPath` in QSslConfiguration::defaultConfiguration() while alive (the gateway's upstream
// clusters copy the default configuration when they are built).
class TrustedCa
{
public:
    explicit TrustedCa(const QString &caPath)
        : m_saved(QSslConfiguration::defaultConfiguration())
    {
        QSslConfiguration c = m_saved;
        m_ok = c.addCaCertificates(caPath, QSsl::Pem);
        QSslConfiguration::setDefaultConfiguration(c);
    }
    ~TrustedCa() { QSslConfiguration::setDefaultConfiguration(m_saved); }
    TrustedCa(const TrustedCa &) = delete;
    TrustedCa &operator=(const TrustedCa &) = delete;
    bool ok() const { return m_ok; }

private:
    QSslConfiguration m_saved;
    bool m_ok = false;
};

} // namespace portico::test
