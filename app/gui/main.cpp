// portico: the desktop application. Builds the objects and hands them to each other; the work is
// done in ui/ and core/.

#include "ScreenshotTour.h"
#include "ui/main/Application.h"
#include "ui/main/MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>

#include <cstdio>

namespace {

struct Options
{
    QCommandLineOption section { QStringLiteral("section"), QStringLiteral("Show this section first (e.g. Traffic)."),
        QStringLiteral("name") };
    QCommandLineOption demo { QStringLiteral("demo"),
        QStringLiteral("Open the built-in demo workspace with sample traffic.") };
    QCommandLineOption screenshots { QStringLiteral("screenshots"),
        QStringLiteral("With --demo: save a PNG of each main section into this directory, then quit."),
        QStringLiteral("dir") };
    QCommandLineOption warmup { QStringLiteral("warmup"),
        QStringLiteral("With --screenshots: milliseconds of sample traffic before the first shot."),
        QStringLiteral("ms"), QStringLiteral("8000") };

    void addTo(QCommandLineParser &parser) const
    {
        // The first line is the man page's NAME line; the rest its DESCRIPTION (packaging/HelpToMan.cmake).
        parser.setApplicationDescription(QStringLiteral(
            "Desktop developer API gateway and traffic inspector.\n"
            "Opens the workspace file given, or the last one, or on first start the built-in demo.\n"
            "portico-cli has the same core for terminals, CI and servers (portico-cli --help)."));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addPositionalArgument(QStringLiteral("workspace"),
            QStringLiteral("The workspace file to open (YAML or JSON)."), QStringLiteral("[workspace]"));
        parser.addOptions({ section, demo, screenshots, warmup });
    }
};

void setApplicationNames()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Portico"));
    QCoreApplication::setApplicationName(QStringLiteral("Portico"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PORTICO_VERSION));
}

// --help and --version print and exit. QApplication aborts when there is no display (a terminal
// over SSH, a packaging check), so these are answered before one is created.
void answerHelpWithoutDisplay(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArrayView a(argv[i]);
        if (a == "-h" || a == "--help" || a == "-?" || a == "-v" || a == "--version") {
            QCoreApplication core(argc, argv);
            setApplicationNames();
            QCommandLineParser parser;
            Options().addTo(parser);
            parser.process(core); // exits after printing
            return;
        }
    }
}

} // namespace

int main(int argc, char *argv[])
{
    answerHelpWithoutDisplay(argc, argv);
    QApplication app(argc, argv);
    setApplicationNames();
    QApplication::setDesktopFileName(QStringLiteral("portico"));

    QCommandLineParser parser;
    const Options options;
    options.addTo(parser);
    parser.process(app);

    portico::ui::Application::applyStyle();
    QSettings settings;
    portico::ui::Application portico(&settings);
    if (parser.isSet(options.demo))
        portico.startDemo();
    else
        portico.start(parser.positionalArguments().value(0));
    if (parser.isSet(options.section) && !portico.window()->showSection(parser.value(options.section)))
        std::fprintf(stderr, "portico: --section: no section '%s' (%s)\n", qPrintable(parser.value(options.section)),
            qPrintable(portico.window()->sectionNames().join(QStringLiteral(", "))));
    ScreenshotTour tour(
        portico.window(), parser.value(options.screenshots), parser.value(options.warmup).toInt());
    if (parser.isSet(options.screenshots))
        tour.start();
    return app.exec();
}
