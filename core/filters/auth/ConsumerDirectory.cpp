#include "core/filters/auth/ConsumerDirectory.h"

#include "core/config/ValueFormats.h"
#include "core/filters/auth/Sha256.h"

#include <openssl/crypto.h>

namespace portico::filters::auth {

ConsumerDirectory::ConsumerDirectory(const config::Workspace &workspace)
    : m_consumers(workspace.consumers)
{
    for (qsizetype i = 0; i < m_consumers.size(); ++i) {
        const config::Consumer &c = m_consumers[i];
        for (const QString &key : c.apiKeys)
            m_keyDigests.insert(sha256(key.toUtf8()), i);
        if (!c.jwtSubject.isEmpty())
            m_subjects.insert(c.jwtSubject, i);
        m_names.insert(c.name, i);
    }
}

QByteArray ConsumerDirectory::sha256(QByteArrayView data)
{
    return auth::sha256(data);
}

ConsumerIdentity ConsumerDirectory::identity(qsizetype index) const
{
    const config::Consumer &c = m_consumers[index];
    ConsumerIdentity id;
    id.name = c.name;
    id.groups = c.groups;
    id.tier = c.tier;
    return id;
}

ConsumerIdentity ConsumerDirectory::anonymous(const QString &name)
{
    ConsumerIdentity id;
    id.name = name;
    id.anonymous = true;
    return id;
}

std::optional<ConsumerIdentity> ConsumerDirectory::anonymousFromClaim(
    const QString &value, const ConsumerDirectory &known)
{
    if (value.isEmpty() || value.size() > 256 || !config::isSafeHeaderValue(value) || known.hasName(value))
        return std::nullopt;
    return anonymous(value);
}

std::optional<ConsumerIdentity> ConsumerDirectory::byApiKey(QByteArrayView key) const
{
    if (key.isEmpty())
        return std::nullopt;
    const Sha256Digest bytes = sha256Digest(key);
    const QByteArray digest = QByteArray::fromRawData(
        reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size())); // no copy
    const auto it = m_keyDigests.constFind(digest);
    if (it == m_keyDigests.constEnd())
        return std::nullopt;
    // The hash lookup only ever saw the digest; confirm the bytes in constant time anyway.
    if (digest.size() != it.key().size()
        || CRYPTO_memcmp(digest.constData(), it.key().constData(), size_t(digest.size())) != 0)
        return std::nullopt;
    return identity(*it);
}

std::optional<ConsumerIdentity> ConsumerDirectory::byJwtSubject(const QString &subject) const
{
    const auto it = m_subjects.constFind(subject);
    if (it == m_subjects.constEnd())
        return std::nullopt;
    return identity(*it);
}

std::optional<ConsumerIdentity> ConsumerDirectory::bySubjectOrName(const QString &id) const
{
    if (auto c = byJwtSubject(id))
        return c;
    const auto it = m_names.constFind(id);
    if (it == m_names.constEnd())
        return std::nullopt;
    return identity(*it);
}

} // namespace portico::filters::auth
