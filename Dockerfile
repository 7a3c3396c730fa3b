# One image for the API and the workers (the command picks the role).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The console (console/ → dist/console) is built here: its toolchain is a dev dependency.
RUN npm run build && npm run build:console && npm prune --omit=dev

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends tesseract-ocr-vie poppler-utils qpdf \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./
# SQL migrations and data catalogs are read at run time next to the compiled code.
COPY --from=build /app/storage/migrations ./dist/storage/migrations
COPY --from=build /app/schemas/*.json ./dist/schemas/
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
CMD ["node", "dist/main.js", "api"]
