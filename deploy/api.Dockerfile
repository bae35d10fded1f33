# Billing API image (ASP.NET Core, Orleans client). Build from the repository root:
#   docker build -f deploy/api.Dockerfile -t billing-api .
# Multi-stage; runs as the image's non-root user "app" and listens on 8080 (ASPNETCORE_HTTP_PORTS).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY grain-interfaces/Billing.GrainInterfaces.csproj grain-interfaces/
COPY api/Billing.Api.csproj api/
RUN dotnet restore api/Billing.Api.csproj
COPY grain-interfaces/ grain-interfaces/
COPY api/ api/
RUN dotnet publish api/Billing.Api.csproj -c Release --no-restore -o /out

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /out ./
USER $APP_UID
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
ENTRYPOINT ["dotnet", "Billing.Api.dll"]
