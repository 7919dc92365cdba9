#include "core/filters/mock/MockConfig.h"

#include "core/config/ValidationSink.h"
#include "core/config/WorkspaceTree.h"
#include "core/config/YamlReader.h"

namespace portico::config {

Mock parseMock(YamlReader &r, const YAML::Node &node, const QString &path)
{
    Mock m;
    const QStringList keys { "status", "headers", "body", "body_file", "delay" };
    for (const auto &f : r.fields(node, path, QStringLiteral("mock"), keys)) {
        if (f.key == u"status")
            assign(m.status, r.integer(f.value, f.path));
        else if (f.key == u"headers")
            m.headers = r.keyValues(f.value, f.path, QStringLiteral("header"));
        else if (f.key == u"body")
            assign(m.body, r.string(f.value, f.path));
        else if (f.key == u"body_file")
            assign(m.bodyFile, r.string(f.value, f.path));
        else
            assign(m.delay, r.duration(f.value, f.path));
    }
    return m;
}

void validateMock(ValidationSink &sink, const Mock &mock, const QString &mp)
{
    if (mock.status < 100 || mock.status > 599)
        sink.add(mp + QStringLiteral(".status"),
            QStringLiteral("'status' must be an HTTP status from 100 to 599, not %1").arg(mock.status));
    if (!mock.body.isEmpty() && !mock.bodyFile.isEmpty())
        sink.add(mp + QStringLiteral(".body_file"),
            QStringLiteral("mock has both 'body' and 'body_file' (use one)"), true);
    sink.checkFile(mp + QStringLiteral(".body_file"), mock.bodyFile);
    sink.checkHeaders(mp + QStringLiteral(".headers"), mock.headers);
    if (mock.delay.count() < 0)
        sink.add(mp + QStringLiteral(".delay"), QStringLiteral("'delay' must not be negative"));
}

WorkspaceTree writeMock(const TreeWriter &w, const Mock &m, const QString &p)
{
    WorkspaceTree t;
    t.insert("status", w.scalar(p + ".status", WorkspaceTree::integer(m.status)));
    if (!m.headers.isEmpty())
        t.insert("headers", w.keyValues(p + ".headers", m.headers));
    if (!m.body.isEmpty())
        t.insert("body", w.str(p + ".body", m.body));
    if (!m.bodyFile.isEmpty())
        t.insert("body_file", w.str(p + ".body_file", m.bodyFile));
    if (m.delay.count() != 0)
        t.insert("delay", w.duration(p + ".delay", m.delay));
    return t;
}

} // namespace portico::config
