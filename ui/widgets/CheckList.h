#pragma once

#include <QStringList>
#include <QWidget>

class QCheckBox;
class QGridLayout;

namespace portico::ui {

// A row of check boxes over a set of names (HTTP methods, auth schemes of the workspace). The
// names can change (schemes are added and removed); checked names that are no longer offered are
// still shown so that a reference to something missing stays visible.
class CheckList final : public QWidget
{
    Q_OBJECT

public:
    explicit CheckList(QWidget *parent = nullptr);

    void setOptions(const QStringList &names);
    void setChecked(const QStringList &names);
    QStringList checked() const;
    QCheckBox *box(const QString &name) const;

Q_SIGNALS:
    void edited(const QStringList &checked);

private:
    void rebuild();

    QGridLayout *m_layout;
    QStringList m_options;
    QStringList m_checked;
    QList<QCheckBox *> m_boxes;
};

} // namespace portico::ui
