// portico: the desktop application. Builds the objects and hands them to each other; the work is
// done in ui/ and core/.

#include "ui/main/Application.h"
#include "ui/main/MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Portico"));
    QApplication::setApplicationName(QStringLiteral("Portico"));
    QApplication::setApplicationVersion(QStringLiteral(PORTICO_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("portico"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Desktop developer API gateway and traffic inspector"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("workspace"), QStringLiteral("The workspace file to open (YAML or JSON)."));
    QCommandLineOption section(QStringLiteral("section"), QStringLiteral("Show this section first (e.g. Traffic)."),
                               QStringLiteral("name"));
    QCommandLineOption demo(QStringLiteral("demo"), QStringLiteral("Open the built-in demo workspace with sample traffic."));
    parser.addOption(section);
    parser.addOption(demo);
    parser.process(app);

    portico::ui::Application::applyStyle();
    QSettings settings;
    portico::ui::Application portico(&settings);
    if (parser.isSet(demo))
        portico.startDemo();
    else
        portico.start(parser.positionalArguments().value(0));
    if (parser.isSet(section))
        portico.window()->showSection(parser.value(section));
    return app.exec();
}
