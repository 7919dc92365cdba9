#pragma once

#include <QStringList>
#include <QWidget>

class QCheckBox;
class QGridLayout;

namespace portico::ui {

// A row of check boxes over a set of names (HTTP methods, auth schemes of the workspace). The
// names can change (schemes are added and removed); checked names that are no longer offered are
// still shown so that a reference to something missing stays visible. The boxes reflow onto more
// rows when the form is narrower than one row of them (seven HTTP methods on a laptop), so that
// none is ever cut.
class CheckList final : public QWidget
{
    Q_OBJECT

public:
    explicit CheckList(QWidget *parent = nullptr);

    void setOptions(const QStringList &names);
    void setChecked(const QStringList &names);
    QStringList checked() const;
    QCheckBox *box(const QString &name) const;

    // Boxes per row now (tests).
    int columns() const { return m_columns; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void edited(const QStringList &checked);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void rebuild();
    // The most boxes per row (at most the preferred count) that fit in `width`.
    int columnsFor(int width) const;
    int preferredColumns() const;
    void place(int columns);
    // The height of the boxes laid out `columns` to a row.
    int heightFor(int columns) const;

    QGridLayout *m_layout;
    QStringList m_options;
    QStringList m_checked;
    QList<QCheckBox *> m_boxes;
    int m_columns = 0;
};

} // namespace portico::ui
