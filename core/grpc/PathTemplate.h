#pragma once

// google.api.http path templates (google/api/http.proto), for REST <-> gRPC transcoding:
//
//   Template = "/" Segments [ Verb ] ;      Segment  = "*" | "**" | LITERAL | Variable ;
//   Segments = Segment { "/" Segment } ;    Variable = "{" FieldPath [ "=" Segments ] "}" ;
//   Verb     = ":" LITERAL ;                FieldPath = IDENT { "." IDENT } ;
//
// "{id}" is "{id=*}"; "**" matches the rest of the path (zero or more segments) and may only be
// the last segment. A variable that captures one segment gets it percent-decoded; one that
// captures several ("{name=shelves/*/books/**}") keeps "/" and leaves "%2F" encoded, as the
// specification says. Matching works on the request path as sent (before '?').

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace portico::grpc {

class PathTemplate
{
public:
    struct Binding
    {
        QString fieldPath; // "user.id"
        QString value;
        bool operator==(const Binding &) const = default;
    };

    // Nothing, with *error saying where and why, when `text` is not a valid template.
    static std::optional<PathTemplate> parse(const QString &text, QString *error);

    // The bindings of the variables when `path` matches, in template order; nothing otherwise.
    std::optional<QList<Binding>> match(QStringView path) const;

    const QString &text() const { return m_text; }
    const QString &verb() const { return m_verb; }
    QStringList fieldPaths() const;
    // How specific the template is, for choosing among several that match: literal segments
    // count most, then single wildcards; "**" least.
    int specificity() const;

private:
    enum class Kind { Literal, Single, Rest };
    struct Segment
    {
        Kind kind = Kind::Literal;
        QString literal; // Kind::Literal, percent-decoded form compared
    };
    struct Variable
    {
        QString fieldPath;
        int first = 0; // index of its first segment
        int count = 0; // segments it covers (a Rest segment counts once)
    };

    QString m_text;
    QList<Segment> m_segments;
    QList<Variable> m_variables;
    QString m_verb;
};

} // namespace portico::grpc
