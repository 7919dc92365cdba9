#pragma once

#include "core/config/Workspace.h"
#include "core/filters/Filter.h"

#include <QHash>

#include <memory>
#include <optional>

namespace portico::filters::auth {

// The workspace's consumers, indexed for authentication. Immutable once built; shared by the
// schemes of every route of one config revision.
//
// API keys are never kept in clear: each is stored as its SHA-256 digest. A presented key is
// hashed, looked up by digest, and the match confirmed with CRYPTO_memcmp, so the time taken does
// not depend on how much of a key was right, nor (the digest having a fixed size) on its length.
class ConsumerDirectory
{
public:
    explicit ConsumerDirectory(const config::Workspace &workspace);

    std::optional<ConsumerIdentity> byApiKey(QByteArrayView key) const;
    // The consumer whose jwt_subject equals `subject`, if any.
    std::optional<ConsumerIdentity> byJwtSubject(const QString &subject) const;
    // The consumer whose jwt_subject, or else whose name, equals `id` (introspection results).
    std::optional<ConsumerIdentity> bySubjectOrName(const QString &id) const;

    // A caller with a valid credential but no configured consumer: named after the claim, no
    // groups, no tier (so no tier limit), anonymous = true.
    static ConsumerIdentity anonymous(const QString &name);
    // The anonymous consumer for a claim (or introspection answer) that matched no consumer, or
    // nothing when the value cannot be one: control characters or over 256 characters (it
    // becomes a header value), or a configured consumer's name (it would take that consumer's
    // place upstream, in the capture and in rate limits).
    static std::optional<ConsumerIdentity> anonymousFromClaim(
        const QString &value, const ConsumerDirectory &known);
    bool hasName(const QString &name) const { return m_names.contains(name); }

    static QByteArray sha256(QByteArrayView data);

private:
    ConsumerIdentity identity(qsizetype index) const;

    QList<config::Consumer> m_consumers;
    QHash<QByteArray, qsizetype> m_keyDigests; // SHA-256(key) -> consumer index
    QHash<QString, qsizetype> m_subjects;
    QHash<QString, qsizetype> m_names;
};

using ConsumerDirectoryPtr = std::shared_ptr<const ConsumerDirectory>;

} // namespace portico::filters::auth
