#include "core/filters/transform/QueryTransform.h"

namespace portico::filters {

QueryTransform::QueryTransform(const config::QueryOps &ops)
{
    for (const QString &name : ops.remove)
        m_remove.append(name.toUtf8());
    for (const auto &[name, value] : ops.set) {
        const QByteArray n = name.toUtf8();
        m_set.append({ n, n.toPercentEncoding() + '=' + value.toUtf8().toPercentEncoding() });
    }
}

QByteArray QueryTransform::decodedName(QByteArrayView component)
{
    const qsizetype eq = component.indexOf('=');
    QByteArray name = (eq < 0 ? component : component.first(eq)).toByteArray();
    name.replace('+', ' ');
    return QByteArray::fromPercentEncoding(name);
}

QByteArray QueryTransform::apply(const QByteArray &query) const
{
    if (isEmpty())
        return query;

    QList<QByteArray> out;
    QList<bool> setDone(m_set.size(), false);
    if (!query.isEmpty()) {
        const QList<QByteArray> components = query.split('&');
        for (const QByteArray &component : components) {
            const QByteArray name = decodedName(component);
            if (m_remove.contains(name))
                continue;
            qsizetype setIndex = -1;
            for (qsizetype i = 0; i < m_set.size(); ++i) {
                if (m_set[i].first == name) {
                    setIndex = i;
                    break;
                }
            }
            if (setIndex < 0) {
                out.append(component);
            } else if (!setDone[setIndex]) {
                out.append(m_set[setIndex].second);
                setDone[setIndex] = true;
            }
        }
    }
    for (qsizetype i = 0; i < m_set.size(); ++i) {
        if (!setDone[i])
            out.append(m_set[i].second);
    }
    return out.join('&');
}

} // namespace portico::filters
