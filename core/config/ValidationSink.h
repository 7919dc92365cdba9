#pragma once

// Where the workspace checks put what they find, with the checks every section shares. The
// validator (WorkspaceValidator) runs the workspace's own checks on it; each filter config adds
// its own (FilterConfig::validate), with the same helpers and the same messages.

#include "core/config/Workspace.h"

namespace portico::config {

struct ValidationIssue
{
    QString path; // dotted model path: "routes[2].upstream"
    QString message;
    bool atKey = false; // point at the key named by path (e.g. "missing ..."), not at its value
    QString refersTo; // for "names X, which does not exist": the section X belongs in ("upstreams")
};

class ValidationSink
{
public:
    explicit ValidationSink(const Workspace &ws)
        : m_ws(ws)
    {
    }

    const Workspace &workspace() const { return m_ws; }
    QList<ValidationIssue> takeIssues() { return std::exchange(m_issues, {}); }

    // `refersTo`: the section a missing name should be in (the loader drops such issues when that
    // section itself could not be read).
    void add(const QString &path, const QString &message, bool atKey = false, const char *refersTo = "");
    // "unknown WHAT 'x' (did you mean 'y'?)" or with the list of options.
    void checkChoice(
        const QString &path, const QString &what, const QString &value, const QStringList &options);
    void checkPositive(const QString &path, qint64 value);
    void checkFile(const QString &path, const QString &file); // relative to the workspace's folder
    void checkHttpUrl(const QString &path, const QUrl &url);
    // `atKey`: the name is a map key ("set: {NAME: value}"), not a value.
    void checkHeaderName(const QString &path, const QString &name, bool atKey = false);
    void checkHeaderValue(const QString &path, const QString &value);
    void checkHeaders(const QString &path, const KeyValues &headers); // name: value maps

protected:
    const Workspace &m_ws;
    QList<ValidationIssue> m_issues;
};

} // namespace portico::config
