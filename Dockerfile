# syntax=docker/dockerfile:1
# Build stage: restore and publish with the SDK image.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig OpsConsole.sln appsettings.json ./
COPY src/OpsConsole/OpsConsole.csproj src/OpsConsole/
RUN dotnet restore src/OpsConsole/OpsConsole.csproj
COPY . .
RUN dotnet publish src/OpsConsole/OpsConsole.csproj -c Release --no-restore -o /app/publish

# Runtime stage: ASP.NET runtime only, non-root, SQLite on a volume.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app/publish .
# The aspnet image ships the non-root user "app" (UID 1654); the data folder must be writable by it.
RUN mkdir -p /data && chown app:app /data
USER app
ENV Urls=http://+:5080 \
    ConnectionStrings__OpsConsole="Data Source=/data/opsconsole.db"
VOLUME /data
EXPOSE 5080
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["dotnet", "OpsConsole.dll", "healthcheck", "http://127.0.0.1:5080/healthz"]
ENTRYPOINT ["dotnet", "OpsConsole.dll"]
