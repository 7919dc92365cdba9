#pragma once

#include <QLineEdit>
#include <QStringList>

namespace portico::ui {

// A short list of words edited as comma-separated text ("api.local, *.api.local"): hosts, groups,
// algorithms. Empty entries are dropped; committed() fires on Return or focus out when the list
// differs from what was set.
class ListEdit final : public QLineEdit
{
    Q_OBJECT

public:
    explicit ListEdit(QWidget *parent = nullptr);

    void setList(const QStringList &items);
    QStringList list() const;

Q_SIGNALS:
    void committed(const QStringList &items);

private:
    QStringList m_committed;
};

} // namespace portico::ui
