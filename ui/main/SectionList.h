#pragma once

#include <QListWidget>

namespace portico::ui {

// The navigation column: one entry per section, with a count badge for the workspace lists.
class SectionList final : public QListWidget
{
    Q_OBJECT

public:
    explicit SectionList(QWidget *parent = nullptr);

    void addSection(const QString &name, const QString &symbol);
    // "Routes" -> "Routes  4"; an empty badge shows the name alone.
    void setBadge(int row, const QString &badge);

    QSize sizeHint() const override;

private:
    QStringList m_names;
};

} // namespace portico::ui
