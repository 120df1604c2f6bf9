"""Functional U-Net: parameters held as nn.Parameter and used through F.conv2d / F.conv_transpose2d, F.relu,
F.avg_pool2d and torch.relu, a 1x1 conv with a ReLU in the bottleneck, a bias-free conv, and a depth-1 skip."""
import torch
import torch.nn.functional as F
from torch import nn


def _param(*shape):
    return nn.Parameter(torch.randn(*shape) * (2.0 / (shape[1] * shape[-1] * shape[-2])) ** 0.5)


class FunctionalUNet(nn.Module):
    def __init__(self, cin=1, cout=2, width=6):
        super().__init__()
        self.w_in = _param(width, cin, 3, 3)
        self.b_in = nn.Parameter(torch.zeros(width))
        self.w_enc = _param(width, width, 3, 3)          # no bias
        self.w_mid = _param(2 * width, width, 3, 3)
        self.b_mid = nn.Parameter(torch.randn(2 * width) * 0.01)
        self.w_squeeze = _param(width, 2 * width, 1, 1)  # 1x1 + ReLU
        self.b_squeeze = nn.Parameter(torch.zeros(width))
        self.w_up = nn.Parameter(torch.randn(width, width, 3, 3) * 0.2)   # ConvTranspose2d layout [in][out]
        self.b_up = nn.Parameter(torch.zeros(width))
        self.w_dec = _param(width, 2 * width, 3, 3)
        self.b_dec = nn.Parameter(torch.zeros(width))
        self.w_out = _param(cout, width, 1, 1)
        self.b_out = nn.Parameter(torch.zeros(cout))

    def forward(self, x):
        e = F.relu(F.conv2d(x, self.w_in, self.b_in, padding=1))
        e = torch.relu(F.conv2d(e, self.w_enc, None, stride=1, padding=1))
        m = F.avg_pool2d(e, kernel_size=2, stride=2)
        m = F.relu(F.conv2d(m, self.w_mid, self.b_mid, padding=1), inplace=True)
        m = F.conv2d(m, self.w_squeeze, self.b_squeeze).relu()
        u = F.relu(F.conv_transpose2d(m, self.w_up, self.b_up, stride=2, padding=1, output_padding=1))
        d = F.relu(F.conv2d(torch.cat([e, u], 1), self.w_dec, self.b_dec, padding=1))
        return F.conv2d(d, self.w_out, self.b_out)
