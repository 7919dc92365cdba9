// portico-cli help TOPIC: the help that belongs to no one command. The man page is generated from
// this text and from every command's --help (packaging/HelpToMan.cmake), so the two never differ.
#include "app/cli/Command.h"

#include <cstdio>

namespace portico::cli {

namespace {

struct Topic
{
    const char *name;
    const char *text;
};

const Topic kTopics[] = {
    { "filter",
        "Usage: portico-cli help filter\n"
        "The filter language selects captured exchanges. The same text works in\n"
        "`traffic list --filter`, `traffic har --filter`, the GUI's filter bar and the admin API's\n"
        "?filter=.\n"
        "Terms are separated by spaces and must all hold. `a | b` holds when either term does and\n"
        "binds tighter than the spaces; a leading - negates a term; \"double quotes\" keep spaces in a\n"
        "value. A bare word matches anywhere in the URL. In text values * and ? are wildcards; without\n"
        "them route, consumer, upstream, host and path match exactly.\n\n"
        "Fields:\n"
        "  method:POST          the request method; method:GET,HEAD for either\n"
        "  status:404           the response status: 404, 4xx, 500-599, >=500, <300\n"
        "  route:users          the route's name; route: alone matches exchanges no route took\n"
        "  consumer:alice       the consumer the credentials identified; consumer: alone, none\n"
        "  upstream:users-v1    the upstream that answered\n"
        "  host:api.local       the Host the client sent\n"
        "  path:/api/users*     the request path\n"
        "  url:users?page=      text anywhere in the full URL (the same as a bare word)\n"
        "  duration:>200ms      total time: >, >=, <, <= or =, in us, ms (default), s or m\n"
        "  version:v2           the API version the exchange was routed to\n"
        "  trace:4bf92f35       a W3C or B3 trace id, or its first hex digits\n"
        "  span:00f067aa        a span id, or its first hex digits\n"
        "  error:true           exchanges that failed (error:false, none); other text matches the error\n"
        "  sample:true          rows the desktop app's Send Sample Traffic caused (sample:false, the "
        "others)\n"
        "  body:\"needle\"        text in the request or response body (scans the bodies)\n"
        "  header:x-request-id  a header by name in request or response; header:NAME=VALUE exactly\n"
        "  client:127.0.0.1     the client's address\n"
        "  scheme:https         http or https\n"
        "  protocol:HTTP/2      the HTTP version the client spoke: HTTP/2 (also h2) or HTTP/1.1\n"
        "  grpc:Users/GetUser   gRPC calls of a service (full name, or its last part) and method;\n"
        "                       grpc:demo.users.v1.Users for every method of it\n"
        "  grpc_status:5        gRPC calls whose grpc-status is 5 (>, >=, <, <= too)\n"
        "  proxied:true         exchanges the forward proxy handled (an app's own calls, proxy.listen)\n"
        "  id:>=1200            the exchange id (numbers take >, >=, <, <= like duration)\n"
        "  parent:1200          the sub-requests of aggregate exchange 1200\n"
        "  retries:>0           how many times the gateway retried the upstream\n\n"
        "Example: portico-cli traffic list --db traffic.db --filter 'method:POST status:>=500 "
        "-consumer:bob'\n"
        "A filter that does not parse is an error that names the column of the offending term.\n" },
    { "files",
        "Usage: portico-cli help files\n"
        "The files Portico reads and writes:\n"
        "  WORKSPACE.yaml      the workspace given with -c: listeners, routes, upstreams, consumers,\n"
        "                      auth, limits, transforms, mocks, capture. YAML or JSON; ${NAME} expands\n"
        "                      an environment variable; relative paths are relative to this file\n"
        "  traffic.db          the capture database (capture.database in the workspace), SQLite; read\n"
        "                      by `traffic` and `replay`, the GUI and the admin API\n"
        "  /usr/share/doc/portico/portico.example.yaml\n"
        "                      the annotated example workspace: every key, with its meaning\n"
        "  /etc/portico/portico.yaml\n"
        "                      the workspace of the packaged systemd unit portico.service\n"
        "  ~/.local/share/portico/\n"
        "                      serve --demo: the demo workspace (demo.yaml) and its capture\n"
        "  ~/.config/Portico/Portico.conf\n"
        "                      the desktop application's settings (last workspace, window layout)\n" },
};

} // namespace

const char *helpTopic(const QString &name)
{
    for (const Topic &t : kTopics) {
        if (name == QLatin1String(t.name))
            return t.text;
    }
    return nullptr;
}

QStringList helpTopicNames()
{
    QStringList names;
    for (const Topic &t : kTopics)
        names.append(QLatin1String(t.name));
    return names;
}

} // namespace portico::cli
