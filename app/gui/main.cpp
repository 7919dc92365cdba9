// portico: the desktop application. Builds the objects and hands them to each other; the work is
// done in ui/ and core/.

#include "ScreenshotTour.h"
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
    parser.addPositionalArgument(
        QStringLiteral("workspace"), QStringLiteral("The workspace file to open (YAML or JSON)."));
    QCommandLineOption section(QStringLiteral("section"),
        QStringLiteral("Show this section first (e.g. Traffic)."), QStringLiteral("name"));
    QCommandLineOption demo(
        QStringLiteral("demo"), QStringLiteral("Open the built-in demo workspace with sample traffic."));
    QCommandLineOption screenshots(QStringLiteral("screenshots"),
        QStringLiteral("With --demo: save a PNG of each main section into this directory, then quit."),
        QStringLiteral("dir"));
    QCommandLineOption warmup(QStringLiteral("warmup"),
        QStringLiteral("With --screenshots: milliseconds of sample traffic before the first shot."),
        QStringLiteral("ms"), QStringLiteral("8000"));
    parser.addOption(section);
    parser.addOption(demo);
    parser.addOption(screenshots);
    parser.addOption(warmup);
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
    ScreenshotTour tour(portico.window(), parser.value(screenshots), parser.value(warmup).toInt());
    if (parser.isSet(screenshots))
        tour.start();
    return app.exec();
}
