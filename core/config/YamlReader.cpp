#include "core/config/YamlReader.h"

#include "core/config/ValueFormats.h"

#include <QRegularExpression>
#include <QSet>

namespace portico::config {

namespace {

SourcePosition toPosition(const YAML::Mark &m)
{
    if (m.is_null())
        return {};
    return { m.line + 1, m.column + 1 };
}

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

} // namespace

YamlReader::YamlReader(QString fileName, QProcessEnvironment env)
    : m_fileName(std::move(fileName))
    , m_env(std::move(env))
{
}

void YamlReader::registerRoot(const YAML::Node &root)
{
    const SourcePosition start { 1, 1 };
    m_positions.insert(QString(), { start, root.IsMap() ? toPosition(root.Mark()) : start });
}

void YamlReader::registerNode(const QString &path, const YAML::Node *key, const YAML::Node &value)
{
    // An empty list item is marked at whatever token follows it, possibly lines later: leave it
    // unplaced so that its list stands in for it.
    const SourcePosition k = key ? toPosition(key->Mark())
        : isNull(value)          ? SourcePosition {}
                                 : toPosition(value.Mark());
    // An empty value ("key:" then a newline) is marked where the next token starts, which may be
    // lines later; its key is the better place to point at.
    const SourcePosition v = isNull(value) ? k : toPosition(value.Mark());
    m_positions.insert(path, { k, v });
}

bool YamlReader::isNull(const YAML::Node &node) const
{
    return !node || node.IsNull();
}

QString YamlReader::lastComponent(const QString &path)
{
    const qsizetype dot = path.lastIndexOf(u'.');
    return dot < 0 ? path : path.mid(dot + 1);
}

SourcePosition YamlReader::position(const QString &path, Anchor anchor) const
{
    // A path that was never read (a default, a missing key) points at its closest parent.
    QString p = path;
    for (;;) {
        // An empty item in a list ("[a, , b]") has no mark of its own: its parent stands in.
        const auto it = m_positions.constFind(p);
        if (it != m_positions.constEnd()) {
            const SourcePosition found = anchor == Anchor::Key ? it->first : it->second;
            if (found.line > 0)
                return found;
        }
        if (p.isEmpty())
            return { 1, 1 };
        const qsizetype cut = std::max(p.lastIndexOf(u'.'), p.lastIndexOf(u'['));
        p = cut < 0 ? QString() : p.left(cut);
        anchor = Anchor::Key;
    }
}

bool YamlReader::failedUnder(const QString &path) const
{
    return std::any_of(m_failedPaths.begin(), m_failedPaths.end(), [&](const QString &failed) {
        return failed.size() > path.size() && failed.startsWith(path)
            && (failed[path.size()] == u'.' || failed[path.size()] == u'[');
    });
}

void YamlReader::error(const QString &path, const QString &message, Anchor anchor)
{
    error(position(path, anchor), path, message);
}

void YamlReader::error(SourcePosition pos, const QString &path, const QString &message)
{
    m_failedPaths.insert(path);
    m_errors.append(Diagnostic { m_fileName, pos.line, pos.column, path, message });
}

void YamlReader::typeError(const YAML::Node &node, const QString &path, const QString &expected)
{
    QString got;
    if (isNull(node))
        got = QStringLiteral("empty");
    else if (node.IsMap())
        got = QStringLiteral("a map");
    else if (node.IsSequence())
        got = QStringLiteral("a list");
    else
        got = QStringLiteral("'%1'").arg(qs(node.Scalar()));
    error(path, QStringLiteral("'%1' must be %2, not %3").arg(lastComponent(path), expected, got));
}

bool YamlReader::expectMap(const YAML::Node &node, const QString &path)
{
    if (node.IsMap())
        return true;
    typeError(node, path, QStringLiteral("a map"));
    return false;
}

QList<YamlReader::Entry> YamlReader::fields(
    const YAML::Node &node, const QString &path, const QString &context, const QStringList &allowed)
{
    QList<Entry> out;
    if (!expectMap(node, path))
        return out;
    QSet<QString> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
        const QString key = it->first.IsScalar() ? qs(it->first.Scalar()) : QString();
        const QString childPath = path.isEmpty() ? key : path + u'.' + key;
        registerNode(childPath, &it->first, it->second);
        if (!allowed.contains(key)) {
            const QString hint = closestMatch(key, allowed);
            QString message = QStringLiteral("unknown key '%1' in %2").arg(key, context);
            if (!hint.isEmpty())
                message += QStringLiteral(" (did you mean '%1'?)").arg(hint);
            error(toPosition(it->first.Mark()), childPath, message);
            // The key meant is as good as broken: checks that depend on it would only add noise.
            if (!hint.isEmpty())
                m_failedPaths.insert(path.isEmpty() ? hint : path + u'.' + hint);
            continue;
        }
        if (seen.contains(key)) {
            error(toPosition(it->first.Mark()), childPath,
                QStringLiteral("duplicate key '%1' in %2").arg(key, context));
            continue;
        }
        seen.insert(key);
        out.append(Entry { key, it->second, childPath });
    }
    return out;
}

QList<YamlReader::Entry> YamlReader::entries(const YAML::Node &node, const QString &path, const QString &what)
{
    QList<Entry> out;
    if (isNull(node))
        return out;
    if (!expectMap(node, path))
        return out;
    QSet<QString> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) {
            error(toPosition(it->first.Mark()), path,
                QStringLiteral("a %1 name must be a plain value").arg(what));
            continue;
        }
        const QString key = qs(it->first.Scalar());
        const QString childPath = path + u'.' + key;
        if (seen.contains(key)) {
            error(
                toPosition(it->first.Mark()), childPath, QStringLiteral("duplicate %1 '%2'").arg(what, key));
            continue;
        }
        registerNode(childPath, &it->first, it->second);
        seen.insert(key);
        out.append(Entry { key, it->second, childPath });
    }
    return out;
}

QList<YamlReader::Entry> YamlReader::items(const YAML::Node &node, const QString &path, bool scalarIsList)
{
    QList<Entry> out;
    if (isNull(node))
        return out;
    if (scalarIsList && node.IsScalar()) {
        const QString p = path + QStringLiteral("[0]");
        registerNode(p, nullptr, node);
        out.append(Entry { QString(), node, p });
        return out;
    }
    if (!node.IsSequence()) {
        typeError(node, path, QStringLiteral("a list"));
        return out;
    }
    int i = 0;
    for (const YAML::Node &item : node) {
        const QString p = QStringLiteral("%1[%2]").arg(path).arg(i++);
        registerNode(p, nullptr, item);
        out.append(Entry { QString(), item, p });
    }
    return out;
}

QString YamlReader::expand(const QString &raw, const QString &path, UnsetEnv unset)
{
    // "$${NAME}" is a literal "${NAME}" (a mock body may well contain one).
    static const QRegularExpression var(QStringLiteral("\\$(\\$?)\\{([A-Za-z_][A-Za-z0-9_]*)\\}"));
    if (!raw.contains(QStringLiteral("${")))
        return raw;
    m_envTemplates.insert(path, raw);
    QString out;
    qsizetype last = 0;
    auto it = var.globalMatch(raw);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        out += QStringView(raw).mid(last, m.capturedStart() - last);
        const QString name = m.captured(2);
        if (!m.captured(1).isEmpty())
            out += QStringLiteral("${") + name + u'}';
        else if (m_env.contains(name))
            out += m_env.value(name);
        else if (unset == UnsetEnv::Error)
            error(path, QStringLiteral("environment variable '%1' is not set").arg(name));
        last = m.capturedEnd();
    }
    out += QStringView(raw).mid(last);
    return out;
}

std::optional<QString> YamlReader::scalarText(
    const YAML::Node &node, const QString &path, const QString &expected, UnsetEnv unset)
{
    if (!node.IsScalar()) {
        typeError(node, path, expected);
        return std::nullopt;
    }
    const qsizetype before = m_errors.size();
    QString text = expand(qs(node.Scalar()), path, unset);
    if (m_errors.size() != before)
        return std::nullopt;
    return text;
}

std::optional<QString> YamlReader::string(const YAML::Node &node, const QString &path, UnsetEnv unset)
{
    if (isNull(node))
        return QString();
    return scalarText(node, path, QStringLiteral("a string"), unset);
}

std::optional<bool> YamlReader::boolean(const YAML::Node &node, const QString &path)
{
    const auto text = scalarText(node, path, QStringLiteral("true or false"));
    if (!text)
        return std::nullopt;
    const QString t = text->toLower();
    if (t == u"true" || t == u"yes" || t == u"on")
        return true;
    if (t == u"false" || t == u"no" || t == u"off")
        return false;
    error(path, QStringLiteral("'%1' must be true or false, not '%2'").arg(lastComponent(path), *text));
    return std::nullopt;
}

std::optional<int> YamlReader::integer(const YAML::Node &node, const QString &path)
{
    const auto text = scalarText(node, path, QStringLiteral("a whole number"));
    if (!text)
        return std::nullopt;
    bool ok = false;
    const int value = text->toInt(&ok);
    if (!ok) {
        error(path, QStringLiteral("'%1' must be a whole number, not '%2'").arg(lastComponent(path), *text));
        return std::nullopt;
    }
    return value;
}

std::optional<Duration> YamlReader::duration(const YAML::Node &node, const QString &path)
{
    const auto text = scalarText(node, path, QStringLiteral("a duration"));
    if (!text)
        return std::nullopt;
    bool tooLarge = false;
    const auto d = parseDuration(*text, &tooLarge);
    if (tooLarge)
        error(path, QStringLiteral("duration '%1' is too large (at most 100 years)").arg(*text));
    else if (!d)
        error(path, QStringLiteral("invalid duration '%1' (use e.g. 250ms, 5s, 1m, 2h, 30d)").arg(*text));
    return d;
}

std::optional<qint64> YamlReader::size(const YAML::Node &node, const QString &path)
{
    const auto text = scalarText(node, path, QStringLiteral("a size"));
    if (!text)
        return std::nullopt;
    bool tooLarge = false;
    const auto s = parseSize(*text, &tooLarge);
    if (tooLarge)
        error(path, QStringLiteral("size '%1' is too large (at most 1024GiB)").arg(*text));
    else if (!s)
        error(path, QStringLiteral("invalid size '%1' (use e.g. 512, 64KiB, 10MiB)").arg(*text));
    return s;
}

std::optional<HostPort> YamlReader::hostPort(const YAML::Node &node, const QString &path)
{
    if (node.IsMap()) { // unquoted [[::1]:8080] reads as a list holding a map
        error(path, QStringLiteral("invalid listener (write IPv6 listeners in quotes: \"[::1]:8080\")"));
        return std::nullopt;
    }
    const auto text = scalarText(node, path, QStringLiteral("host:port"));
    if (!text)
        return std::nullopt;
    const auto hp = parseHostPort(*text);
    if (!hp)
        error(path,
            QStringLiteral("invalid listener '%1' (use host:port, e.g. 127.0.0.1:8080 or [::1]:8080)")
                .arg(*text));
    return hp;
}

std::optional<QUrl> YamlReader::url(const YAML::Node &node, const QString &path)
{
    const auto text = scalarText(node, path, QStringLiteral("a URL"));
    if (!text)
        return std::nullopt;
    const QUrl url(*text, QUrl::StrictMode);
    if (!url.isValid() || text->isEmpty()) {
        error(path, QStringLiteral("invalid URL '%1'").arg(*text));
        return std::nullopt;
    }
    return url;
}

std::optional<QString> YamlReader::choice(
    const YAML::Node &node, const QString &path, const QString &what, const QStringList &options)
{
    const auto text = scalarText(node, path, QStringLiteral("a string"));
    if (!text)
        return std::nullopt;
    if (options.contains(*text))
        return text;
    const QString hint = closestMatch(*text, options);
    error(path,
        hint.isEmpty() ? QStringLiteral("unknown %1 '%2' (use %3)").arg(what, *text, options.join(u", "))
                       : QStringLiteral("unknown %1 '%2' (did you mean '%3'?)").arg(what, *text, hint));
    return std::nullopt;
}

QStringList YamlReader::stringList(const YAML::Node &node, const QString &path, bool scalarIsList)
{
    QStringList out;
    for (const Entry &item : items(node, path, scalarIsList)) {
        if (const auto s = scalarText(item.value, item.path, QStringLiteral("a string")))
            out.append(*s);
    }
    return out;
}

KeyValues YamlReader::keyValues(const YAML::Node &node, const QString &path, const QString &what)
{
    KeyValues out;
    for (const Entry &e : entries(node, path, what)) {
        if (const auto s = string(e.value, e.path))
            out.append({ e.key, *s });
    }
    return out;
}

} // namespace portico::config
