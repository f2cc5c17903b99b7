// Entry point: one tRPC client for the page's origin, one query cache, then the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { createQuerylaneClient, sameOriginUrls } from './trpc/client.ts';
import { ApiProvider, createQueryClient } from './trpc/react.tsx';
import './styles.css';

const client = createQuerylaneClient(sameOriginUrls(window.location));
const queryClient = createQueryClient();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <ApiProvider client={client} queryClient={queryClient}>
      <App />
    </ApiProvider>
  </StrictMode>,
);
