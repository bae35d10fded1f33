# Billing silo image. Build from the repository root:
#   docker build -f deploy/silo.Dockerfile -t billing-silo .
# Multi-stage: the SDK image restores and publishes; the runtime image (ASP.NET Core, because the silo hosts the
# dashboard's silo part and the optional metrics listener) runs it as the image's non-root user "app".
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY grain-interfaces/Billing.GrainInterfaces.csproj grain-interfaces/
COPY grains/Billing.Grains.csproj grains/
COPY silo/Billing.Silo.csproj silo/
RUN dotnet restore silo/Billing.Silo.csproj
COPY grain-interfaces/ grain-interfaces/
COPY grains/ grains/
COPY silo/ silo/
# the migrations are embedded in the silo binary
COPY deploy/sql/ deploy/sql/
RUN dotnet publish silo/Billing.Silo.csproj -c Release --no-restore -o /out

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /out ./
USER $APP_UID
# 11111 silo-to-silo, 30000 client gateway, 9464 Prometheus + /health/live when BILLING_METRICS_PORT=9464
EXPOSE 11111 30000 9464
ENV BILLING_SILO_PORT=11111 \
    BILLING_GATEWAY_PORT=30000 \
    DOTNET_gcServer=1
ENTRYPOINT ["dotnet", "Billing.Silo.dll"]
