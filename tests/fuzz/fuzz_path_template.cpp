// google.api.http path templates (core/grpc/PathTemplate) on arbitrary bytes: the first line is
// parsed as a template (config), the rest matched against it as a request path (client input).
//
// Beyond "no crash", it checks: a template that parses parses again the same way (its text is
// kept), a match binds exactly the template's variables in order, and a template made only of
// literals matches the path it spells.
#include "FuzzSupport.h"

#include "core/grpc/PathTemplate.h"

using portico::grpc::PathTemplate;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const QByteArray in = portico::fuzz::bytes(data, size);
    const qsizetype newline = in.indexOf('\n');
    const QString pattern = QString::fromUtf8(newline < 0 ? in : in.left(newline));
    const QString path = newline < 0 ? pattern : QString::fromUtf8(in.mid(newline + 1));
    QString error;
    const auto t = PathTemplate::parse(pattern, &error);
    if (!t) {
        FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    FUZZ_CHECK(t->text() == pattern);
    const auto bindings = t->match(path);
    if (bindings) {
        FUZZ_CHECK(bindings->size() == t->fieldPaths().size());
        for (qsizetype i = 0; i < bindings->size(); ++i)
            FUZZ_CHECK(bindings->at(i).fieldPath == t->fieldPaths().at(i));
    }
    if (t->fieldPaths().isEmpty() && t->verb().isEmpty() && !pattern.contains(QLatin1Char('*'))
        && !pattern.contains(QLatin1Char('%')) && !pattern.contains(QLatin1Char('?')))
        FUZZ_CHECK(t->match(pattern).has_value());
    return 0;
}
