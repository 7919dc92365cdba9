#pragma once

#include <QByteArray>
#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QStackedWidget;
class QStandardItemModel;
class QTreeView;

namespace portico::ui {

// A message body shown as a JSON tree, text, hex dump or image; the best mode is picked from the
// content type and the bytes, and the user can switch.
class BodyView final : public QWidget
{
    Q_OBJECT

public:
    enum Mode { Json, Text, Hex, Image };

    explicit BodyView(QWidget *parent = nullptr);

    void setBody(const QByteArray &body, const QByteArray &contentType, qint64 originalSize, bool truncated);
    Mode mode() const;
    void setMode(Mode mode);
    QStandardItemModel *jsonModel() const { return m_jsonModel; }

    static QString hexDump(const QByteArray &bytes, int maxBytes = 64 * 1024);

private:
    void render();

    QComboBox *m_mode;
    QLabel *m_info;
    QStackedWidget *m_stack;
    QTreeView *m_tree;
    QStandardItemModel *m_jsonModel;
    QPlainTextEdit *m_text;
    QPlainTextEdit *m_hex;
    QLabel *m_image;
    QByteArray m_body;
};

} // namespace portico::ui
