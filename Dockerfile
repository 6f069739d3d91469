# Diamond: Diameter DRA + HSS. Multi-stage on the official Node 20 image; runs as non-root.
# The two commands mirror the README: `npm ci` (which builds dist/) and `npm start`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY dictionaries ./dictionaries
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/dictionaries ./dictionaries
COPY package.json ./
RUN mkdir -p /etc/diamond /var/lib/diamond && chown node:node /var/lib/diamond
USER node
# /etc/diamond holds diamond.yaml (and certs/, rules/); /var/lib/diamond holds the data (dataDir).
VOLUME ["/etc/diamond", "/var/lib/diamond"]
# Diameter over TCP and TLS; the admin API.
EXPOSE 3868 5868 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
  CMD node -e "fetch('http://127.0.0.1:8080/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["start", "-c", "/etc/diamond/diamond.yaml"]
