#include "ui/traffic/BodyView.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace portico::ui {

namespace {

void addJson(QStandardItem *parent, const QString &key, const QJsonValue &value)
{
    auto *k = new QStandardItem(key);
    auto *v = new QStandardItem;
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        v->setText(QStringLiteral("{%1}").arg(o.size()));
        for (auto it = o.begin(); it != o.end(); ++it)
            addJson(k, it.key(), it.value());
    } else if (value.isArray()) {
        const QJsonArray a = value.toArray();
        v->setText(QStringLiteral("[%1]").arg(a.size()));
        for (int i = 0; i < a.size(); ++i)
            addJson(k, QStringLiteral("[%1]").arg(i), a.at(i));
    } else if (value.isString()) {
        v->setText(QStringLiteral("\"%1\"").arg(value.toString()));
        v->setForeground(QColor(0x0f, 0x76, 0x6e));
    } else if (value.isNull()) {
        v->setText(QStringLiteral("null"));
        v->setForeground(QColor(0x9e, 0x9e, 0x9e));
    } else if (value.isBool()) {
        v->setText(value.toBool() ? QStringLiteral("true") : QStringLiteral("false"));
        v->setForeground(QColor(0x7c, 0x3a, 0xed));
    } else {
        v->setText(QString::number(value.toDouble(), 'g', 15));
        v->setForeground(QColor(0x1d, 0x4e, 0xd8));
    }
    k->setEditable(false);
    v->setEditable(false);
    parent->appendRow({ k, v });
}

} // namespace

BodyView::BodyView(QWidget *parent)
    : QWidget(parent)
    , m_mode(new QComboBox(this))
    , m_info(new QLabel(this))
    , m_stack(new QStackedWidget(this))
    , m_tree(new QTreeView(this))
    , m_jsonModel(new QStandardItemModel(this))
    , m_text(new QPlainTextEdit(this))
    , m_hex(new QPlainTextEdit(this))
    , m_image(new QLabel(this))
{
    m_mode->addItem(tr("JSON"), Json);
    m_mode->addItem(tr("Text"), Text);
    m_mode->addItem(tr("Hex"), Hex);
    m_mode->addItem(tr("Image"), Image);
    m_info->setStyleSheet(QStringLiteral("color: #6b7280;"));
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_text->setReadOnly(true);
    m_text->setFont(mono);
    m_hex->setReadOnly(true);
    m_hex->setFont(mono);
    m_hex->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_tree->setModel(m_jsonModel);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setFont(mono);
    m_image->setAlignment(Qt::AlignCenter);
    m_stack->addWidget(m_tree);
    m_stack->addWidget(m_text);
    m_stack->addWidget(m_hex);
    m_stack->addWidget(m_image);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_mode);
    bar->addWidget(m_info, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_stack, 1);
    connect(m_mode, &QComboBox::activated, this, &BodyView::render);
}

BodyView::Mode BodyView::mode() const
{
    return Mode(m_mode->currentData().toInt());
}

void BodyView::setMode(Mode mode)
{
    m_mode->setCurrentIndex(m_mode->findData(mode));
    render();
}

void BodyView::setBody(
    const QByteArray &body, const QByteArray &contentType, qint64 originalSize, bool truncated)
{
    m_body = body;
    QString info = body.isEmpty() ? tr("No body") : QLocale().formattedDataSize(originalSize);
    if (truncated)
        info += tr(" — stored truncated to %1").arg(QLocale().formattedDataSize(body.size()));
    m_info->setText(info);
    const QByteArray type = contentType.toLower();
    Mode best = Text;
    QJsonParseError error;
    if (type.startsWith("image/"))
        best = Image;
    else if (!body.isEmpty()
        && (type.contains("json") || body.trimmed().startsWith('{') || body.trimmed().startsWith('['))
        && (QJsonDocument::fromJson(body, &error), error.error == QJsonParseError::NoError))
        best = Json;
    else if (body.contains('\0'))
        best = Hex;
    setMode(best);
}

void BodyView::render()
{
    const Mode m = mode();
    m_stack->setCurrentIndex(int(m));
    switch (m) {
    case Json: {
        m_jsonModel->clear();
        m_jsonModel->setHorizontalHeaderLabels({ tr("Key"), tr("Value") });
        const QJsonDocument doc = QJsonDocument::fromJson(m_body);
        QStandardItem *root = m_jsonModel->invisibleRootItem();
        if (doc.isObject()) {
            const QJsonObject o = doc.object();
            for (auto it = o.begin(); it != o.end(); ++it)
                addJson(root, it.key(), it.value());
        } else if (doc.isArray()) {
            const QJsonArray a = doc.array();
            for (int i = 0; i < a.size(); ++i)
                addJson(root, QStringLiteral("[%1]").arg(i), a.at(i));
        }
        m_tree->expandToDepth(1);
        m_tree->header()->resizeSection(0, 180);
        break;
    }
    case Text: {
        const QJsonDocument doc = QJsonDocument::fromJson(m_body);
        m_text->setPlainText(doc.isNull() ? QString::fromUtf8(m_body)
                                          : QString::fromUtf8(doc.toJson(QJsonDocument::Indented)));
        break;
    }
    case Hex:
        m_hex->setPlainText(hexDump(m_body));
        break;
    case Image: {
        QPixmap pixmap;
        if (pixmap.loadFromData(m_body))
            m_image->setPixmap(
                pixmap.width() > 600 ? pixmap.scaledToWidth(600, Qt::SmoothTransformation) : pixmap);
        else
            m_image->setText(tr("Not an image this viewer can show"));
        break;
    }
    }
}

QString BodyView::hexDump(const QByteArray &bytes, int maxBytes)
{
    QString out;
    const int n = std::min<int>(int(bytes.size()), maxBytes);
    for (int offset = 0; offset < n; offset += 16) {
        QString hex;
        QString ascii;
        for (int i = 0; i < 16; ++i) {
            if (offset + i < n) {
                const auto c = static_cast<unsigned char>(bytes.at(offset + i));
                hex += QStringLiteral("%1 ").arg(c, 2, 16, QLatin1Char('0'));
                ascii += (c >= 32 && c < 127) ? QChar(c) : QChar(u'.');
            } else {
                hex += QStringLiteral("   ");
            }
            if (i == 7)
                hex += u' ';
        }
        out += QStringLiteral("%1  %2 %3\n").arg(offset, 8, 16, QLatin1Char('0')).arg(hex, ascii);
    }
    if (bytes.size() > maxBytes)
        out += tr("… %1 more bytes").arg(bytes.size() - maxBytes);
    return out;
}

} // namespace portico::ui
